"""Helpers shared by the tests of the permission cache and the detail page's change tokens."""

import time

import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture
def shared_cache(settings):
    # Local memory is shared by everything in this one test process, so tokens may be trusted.
    settings.BEIAN_SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


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
