"""Each user's permissions kept by the process between requests, trusted while the permission epoch
read with the user is unchanged; every change that could alter permissions moves the epoch on."""

import functools
import threading
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import PermissionEpoch
from filings import statements

# Bounds how long a set read inside a transaction that later rolled back can outlive it.
TIMEOUT_SECONDS = 60
# A process keeps at most this many users' sets; beyond it, it starts again from none.
MAX_USERS = 10_000

_known: dict[int, tuple[tuple, float, tuple[set[str], set[str]]]] = {}
_lock = threading.Lock()


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend that reads the request's user together with the permission epoch, and keeps the
    user's own and group permission sets in the process for as long as the epoch stays the same.

    The epoch moves in the transaction that changes a group, a permission or a user's links to
    them, so a reader sees the new epoch exactly when it can see the change. A user's superuser and
    active flags come with the user row and are part of what a kept set was read under."""

    def get_user(self, user_id):
        sql, names, converters = _user_statement(connection.vendor)
        row = statements.first_row(sql, [user_id])
        if row is None:
            return None
        *values, epoch = row
        for index, column, convert in converters:
            values[index] = convert(values[index], column, connection)
        user = get_user_model().from_db(connection.alias, names, values)
        user.permission_epoch = epoch
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        epoch = getattr(user_obj, "permission_epoch", None)  # only on users read by get_user()
        if obj is not None or epoch is None or not user_obj.is_active or user_obj.is_anonymous:
            return super()._get_permissions(user_obj, obj, from_name)
        attribute = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, attribute):
            user_obj._user_perm_cache, user_obj._group_perm_cache = self._kept_permissions(user_obj, epoch)
        return getattr(user_obj, attribute)

    def _kept_permissions(self, user_obj, epoch: int) -> tuple[set[str], set[str]]:
        read_under = (epoch, user_obj.is_superuser)
        now = time.monotonic()
        kept = _known.get(user_obj.pk)
        if kept is not None and kept[0] == read_under and now - kept[1] < TIMEOUT_SECONDS:
            return kept[2]
        # Read after the epoch, so what is kept is never older than the epoch it is kept under.
        permissions = (
            super()._get_permissions(user_obj, None, "user"),
            super()._get_permissions(user_obj, None, "group"),
        )
        with _lock:
            if len(_known) >= MAX_USERS:
                _known.clear()
            _known[user_obj.pk] = (read_under, now, permissions)
        return permissions


@functools.cache
def _user_statement(_vendor: str) -> tuple[str, list[str], list[tuple]]:
    """Return the statement that reads a user and the epoch, the user's field names in its column
    order, and the converters the ORM would apply to them (SQLite's datetimes; none on PostgreSQL).

    Every request loads its user by primary key, so this is written out: RawQuerySet took three
    times as long as the statement itself (~0.3 ms of each logged-in request)."""
    model = get_user_model()
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
    sql = (
        f"SELECT {columns}, e.value FROM {quote(model._meta.db_table)} u"
        f" LEFT JOIN {quote(PermissionEpoch._meta.db_table)} e ON e.id = {PermissionEpoch.ROW}"
        f" WHERE u.{quote(model._meta.pk.column)} = %s"
    )
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            converters.append((index, column, convert))
    return sql, [field.attname for field in fields], converters


def forget_process_copies() -> None:
    """Drop the sets this process keeps (tests: rolled back epochs repeat)."""
    with _lock:
        _known.clear()


def move_epoch() -> None:
    """Move the epoch on, in the current transaction: every kept set is read again once it commits."""
    table = connection.ops.quote_name(PermissionEpoch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET value = value + 1 WHERE id = %s", [PermissionEpoch.ROW])


def _changed(sender, action: str = "post_", **kwargs) -> None:
    if action.startswith("post_"):
        move_epoch()


def connect() -> None:
    user_model = get_user_model()
    uid = "beian-permission-epoch"
    for model in (Group, Permission):
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-deleted")
    for through in (
        Group.permissions.through,
        user_model.groups.through,
        user_model.user_permissions.through,
    ):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"{uid}-{through.__name__}")
