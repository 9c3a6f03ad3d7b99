"""The suite keeps to its own cache keys: it never deletes what else lives in REDIS_URL's database."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from tests.cache_keys import clear_test_cache


def test_cache_keys_carry_the_tests_own_prefix():
    assert settings.CACHES["default"]["KEY_PREFIX"].startswith("beian-test")


@pytest.mark.redis
def test_clearing_the_tests_cache_leaves_other_keys_alone():
    redis = caches["default"]._cache.get_client(write=True)
    redis.set("someone-else:key", "kept", ex=60)
    redis.set("beian:1:production-page", "kept", ex=60)
    redis.set("beian-test-1:1:another-run", "kept", ex=60)
    cache.set("ours", "gone")
    try:
        clear_test_cache()
        assert cache.get("ours") is None
        assert redis.get("someone-else:key") == b"kept"
        assert redis.get("beian:1:production-page") == b"kept"
        assert redis.get("beian-test-1:1:another-run") == b"kept"
    finally:
        redis.delete("someone-else:key", "beian:1:production-page", "beian-test-1:1:another-run")
