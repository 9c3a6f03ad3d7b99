"""Test settings: fast hashing, local memory mail, eager nothing (workers are real)."""

import os

from .base import *  # noqa: F403
from .base import CACHES, CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, FILE_STORAGE_BACKEND, REDIS_URL, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
# Local files unless FILE_STORAGE_BACKEND says otherwise (a worker the tests start on their bucket).
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Issue #14: the tests' cache keys carry a prefix of their own, one per test process (a Celery worker
# the tests start inherits it through the environment), and the tests delete only keys with it
# (tests/cache_keys.py): a run never flushes what else lives in REDIS_URL's db, nor another run's keys.
# Under pytest-xdist (`make test` runs two processes) each process has its own prefix, for its cache
# keys and its broker keys, so a Celery worker one test starts never takes what another process
# queued. Written back to the environment: the workers and servers the tests start inherit it as it is.
TEST_KEY_PREFIX = os.environ.get("BEIAN_TEST_CACHE_PREFIX") or f"beian-test-{os.getpid()}"
if os.environ.get("PYTEST_XDIST_WORKER") and not TEST_KEY_PREFIX.endswith(os.environ["PYTEST_XDIST_WORKER"]):
    TEST_KEY_PREFIX = f"{TEST_KEY_PREFIX}-{os.environ['PYTEST_XDIST_WORKER']}"
os.environ["BEIAN_TEST_CACHE_PREFIX"] = TEST_KEY_PREFIX
os.environ["BEIAN_BROKER_KEY_PREFIX"] = f"{TEST_KEY_PREFIX}:"
CACHES["default"]["KEY_PREFIX"] = TEST_KEY_PREFIX
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{TEST_KEY_PREFIX}:",
    }

# Issue #14: the API throttles stay on, with rates no ordinary test (the schema fuzz run included)
# reaches; tests/test_security_logins.py lowers them to see them answer 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # A test's own servers (tests/multinode.py) may ask for lower ones.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON_RATE") or "100000/minute",
        "user": os.environ.get("API_THROTTLE_USER_RATE") or "100000/minute",
    },
}

# Issue #24: the read replica is the test database itself (a mirror, as Django's test runner makes
# one), so tests can see which reads are sent to it; reads go there only where a test turns
# BEIAN_READ_REPLICA on (and allows the "replica" alias).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
BEIAN_READ_REPLICA = False
