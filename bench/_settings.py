"""Settings for the benchmarks: production-like (DEBUG off) plus a bare view to compare against."""

from config.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench._urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
