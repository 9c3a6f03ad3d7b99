"""The authentication backend: Django's ModelBackend, whose session user arrives with what every page
asks of it next (their permissions and their confirmed second-factor devices) in one statement."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django_otp import device_classes


@cache
def _session_user_sql() -> str:
    """Return the statement reading a user, the "app_label.codename" of their own and their groups'
    permissions, and the persistent ids of their confirmed devices (table names from the models)."""
    user = get_user_model()
    own = user.user_permissions.through._meta
    member = user.groups.through._meta
    granted = Group.permissions.through._meta
    devices = " UNION ALL ".join(
        f"SELECT '{model.model_label()}/' || d.id FROM {model._meta.db_table} d "
        "WHERE d.user_id = u.id AND d.confirmed"
        for model in device_classes()
    )
    return (
        f"SELECT u.*, "
        f"ARRAY(SELECT ct.app_label || '.' || p.codename FROM {Permission._meta.db_table} p "
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {own.db_table} WHERE user_id = u.id "
        f"UNION SELECT g.permission_id FROM {granted.db_table} g "
        f"JOIN {member.db_table} m ON m.group_id = g.group_id WHERE m.user_id = u.id)) AS granted_permissions, "
        f"ARRAY({devices}) AS otp_device_ids "
        f"FROM {user._meta.db_table} u WHERE u.id = %s"
    )


class UserBackend(ModelBackend):
    """Every request of a logged-in user reads the user (the session names them), their permissions
    (the second-factor middleware and the navigation ask) and, for staff, the session's device:
    three ORM statements cost about 1.9 ms of CPU a request, this one about 0.2 ms.

    The permissions are kept on the user for the request as ModelBackend keeps them (`_perm_cache`;
    a superuser's come from ModelBackend as before), and the devices as `otp_device_ids`, which
    accounts.two_factor.SessionDeviceMiddleware checks the session's device against. Nothing is kept
    beyond the request: a permission, group or device removed counts from the next request on."""

    def get_user(self, user_id):
        if connection.vendor != "postgresql":
            # SQLite (make run) has no arrays: the user is read as ModelBackend reads them, their
            # permissions at the first check (accounts.models.User.has_perm) and their device then.
            return super().get_user(user_id)
        user = next(iter(get_user_model().objects.raw(_session_user_sql(), [user_id])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        granted = user.__dict__.pop("granted_permissions")
        if not user.is_superuser:
            user._perm_cache = set(granted)
        user.otp_device_ids = frozenset(user.otp_device_ids)
        return user
