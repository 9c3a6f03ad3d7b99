"""The tests' own cache keys: each test starts without them, and the run deletes only them (the Redis
database may hold other data)."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def clear_test_cache() -> None:
    """Delete the keys the tests wrote, and nothing else: the Redis db may hold other data."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.clear()  # a process-local cache holds only this process' keys
        return
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    assert prefix.startswith("beian-test"), prefix
    redis = backend._cache.get_client(write=True)
    batch = []
    for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            redis.delete(*batch)
            batch = []
    if batch:
        redis.delete(*batch)


@pytest.fixture(autouse=True)
def _own_cache_keys():
    # Keys are named after row ids, which repeat from one test to the next.
    clear_test_cache()


@pytest.fixture(scope="session", autouse=True)
def _no_keys_left_behind():
    yield
    clear_test_cache()
