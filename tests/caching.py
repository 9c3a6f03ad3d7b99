"""Helpers shared by the tests of the permission cache and the detail page's change tokens."""

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client


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


@pytest.fixture
def shared_cache(settings):
    # Local memory is shared by everything in this one test process, so tokens may be trusted.
    settings.BEIAN_SHARED_CACHE = True
    clear_test_cache()
    yield
    clear_test_cache()


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def permission_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if '"auth_permission"' in q["sql"]]


def early_in_a_minute() -> None:
    """Wait for the next minute when this one is nearly over.

    A detail page is keyed by the current minute (its countdowns), so two views either side of a
    minute boundary are rightly rendered twice; tests that expect the second view from the cache
    start their pair early in a minute."""
    from django.utils import timezone

    second = timezone.now().second
    if second >= 55:
        time.sleep(60.2 - second)
