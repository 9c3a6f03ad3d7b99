"""Helpers for the few reads written as SQL instead of through the ORM.

Only the hottest reads are written out (every page's unread count and user, a queue's rows and
counts, the statistics' refresh stamp): at a million filings their SQL runs in a fraction of a
millisecond and compiling the equivalent ORM query cost as much again. Each statement is built
once per process from the models' table names; tests compare its results with the ORM query."""

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone


def first_row(sql: str, params: list | tuple = ()) -> tuple | None:
    """Run a statement and return its first row, or None when it found none."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def scalar(sql: str, params: list) -> object:
    """Run a statement that returns one value (a count) and return it."""
    return first_row(sql, params)[0]


def aware(value: datetime | str) -> datetime:
    """Return a datetime column as the ORM would: SQLite's come back naive (UTC) or as text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
