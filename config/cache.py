"""A Redis cache that degrades to a miss when Redis is unreachable, so pages keep working, and the
change tokens that let cached copies (pages, permissions) be trusted without asking the database."""

import logging
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connection, transaction
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class _ReusedClients(RedisCacheClient):
    """Django builds a new redis.Redis object for every operation (~0.1 ms of Python each, five
    times per cached page); a client per connection pool is thread-safe and can be kept."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, object] = {}

    def get_client(self, key=None, *, write=False):
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client


class ForgivingRedisCache(RedisCache):
    """Sessions (cached_db) and rendered pages are only copies of database rows: without Redis
    they are read from the database and rendered again instead of failing the request."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: get %s", key)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: set %s", key)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: add %s", key)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: get_many")
            return {}

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: set_many")
            return list(data)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: delete %s", key)
            return False


# Change tokens. A token is a random string stored under a key such as "stamp:filing:42"; a write
# that changes what a cached copy shows replaces the token, so copies stored under the old one are
# never found again. Random (not counters), so a token lost to eviction or a Redis restart is
# replaced by one no old copy was ever stored under. Tokens are trusted only in a cache every
# process shares (BEIAN_SHARED_CACHE: Redis); a process-local cache never sees another process'
# writes (the Celery worker raises alerts), so callers then read from the database.


def tokens_shared() -> bool:
    return getattr(settings, "BEIAN_SHARED_CACHE", False)


def current_tokens(keys: list[str]) -> dict[str, str] | None:
    """Return the token of every key, or None when the cache cannot say (unreachable, or not
    shared): the caller must then go to the database.

    A missing token (evicted, Redis restarted) is created afresh: nothing was ever stored under a
    new random token, so the caller reads the database this once and stores under it."""
    if not tokens_shared():
        return None
    found = cache.get_many(keys)
    if len(found) == len(keys):
        return found
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), timeout=None)  # another process may have won
    found = cache.get_many(keys)
    return found if len(found) == len(keys) else None


_local = threading.local()


class _AfterCommit:
    """One per transaction: replaces the tokens of everything the transaction changed, once."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def __call__(self) -> None:
        _replace(self.keys)


def _replace(keys: Iterable[str]) -> None:
    cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)


def bump_tokens(keys: Iterable[str]) -> None:
    """Replace the tokens now and again when the current transaction commits.

    Now, so that this process' next read (and tests, whose transactions never commit) sees the
    change; after the commit, because a reader may have taken the new token and rendered from the
    database before the commit, storing the old content under it."""
    keys = set(keys)
    if not keys or not tokens_shared():
        return
    batch = getattr(_local, "batch", None)
    if batch is not None:
        batch.update(keys)
        return
    _replace(keys)
    if connection.in_atomic_block:
        after = getattr(_local, "after_commit", None)
        # Rolled back transactions drop their callbacks: register again unless ours is pending.
        if after is None or not any(entry[1] is after for entry in connection.run_on_commit):
            after = _AfterCommit()
            _local.after_commit = after
            transaction.on_commit(after)
        after.keys.update(keys)


@contextmanager
def batched_tokens(*, instead: Iterable[str]) -> Iterator[None]:
    """Collect the token changes of a bulk write (seeding, recomputing every provisional deadline)
    and replace the `instead` tokens (a global epoch) once at the end, not one per row."""
    if getattr(_local, "batch", None) is not None:
        yield
        return
    _local.batch = set()
    try:
        yield
    finally:
        _local.batch = None
        bump_tokens(instead)  # also after a failure: earlier batches may have committed
