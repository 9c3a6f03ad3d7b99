"""Local development: embedded defaults, DEBUG on unless told otherwise."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
