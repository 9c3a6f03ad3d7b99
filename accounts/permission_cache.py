"""Each user's permissions cached between requests, dropped by every change that could alter them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from config.cache import bump_tokens, current_tokens, tokens_shared

# Changes to groups or to permissions themselves reach every user.
EVERYONE = "perms:epoch"
# Bounds how long a change whose token could not be replaced (Redis unreachable at that moment)
# can go unseen; reading a user's permissions again once a minute costs two small queries.
TIMEOUT_SECONDS = 60


def user_token_key(user_id: int) -> str:
    return f"perms:user:{user_id}"


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend whose per-user and group permission sets come from the shared cache, keyed by
    tokens that group, permission and user changes replace (so the next request reads them anew).

    Without a shared cache it is ModelBackend: another worker could not see the change."""

    def get_user(self, user_id):
        # Every request loads its user by primary key: a written statement, because compiling
        # the ORM query cost more than running it (~0.15 ms of each logged-in request).
        user_model, quote = get_user_model(), connection.ops.quote_name
        sql = (
            f"SELECT * FROM {quote(user_model._meta.db_table)} WHERE {quote(user_model._meta.pk.column)} = %s"
        )
        user = next(iter(user_model._default_manager.raw(sql, [user_id])), None)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super()._get_permissions(user_obj, obj, from_name)
        attribute = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, attribute):
            permissions = self._shared_permissions(user_obj)
            if permissions is None:
                return super()._get_permissions(user_obj, obj, from_name)
            user_obj._user_perm_cache, user_obj._group_perm_cache = permissions
        return getattr(user_obj, attribute)

    def _shared_permissions(self, user_obj) -> tuple[set[str], set[str]] | None:
        if not tokens_shared():
            return None
        token_keys = [EVERYONE, user_token_key(user_obj.pk)]
        entry_key = f"perms:{user_obj.pk}"
        # One round trip: the entry names the tokens it was read under and counts only while
        # they are still the current ones.
        found = cache.get_many([*token_keys, entry_key])
        tokens = tuple(found.get(key) for key in token_keys)
        entry = found.get(entry_key)
        if None not in tokens and entry is not None and entry[0] == tokens:
            return entry[1]
        current = current_tokens(token_keys)  # creates a missing token
        if current is None:
            return None
        # Tokens first, then the database: a change committed in between replaces a token again,
        # so what is stored here cannot outlive it.
        stored = (
            super()._get_permissions(user_obj, None, "user"),
            super()._get_permissions(user_obj, None, "group"),
        )
        cache.set(entry_key, (tuple(current[key] for key in token_keys), stored), TIMEOUT_SECONDS)
        return stored


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes no permission
    bump_tokens([user_token_key(instance.pk)])


def _user_deleted(sender, instance, **kwargs) -> None:
    bump_tokens([user_token_key(instance.pk)])


def _everyone(sender, action: str = "post_", **kwargs) -> None:
    if action.startswith("post_"):
        bump_tokens([EVERYONE])


def _user_links_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        bump_tokens([user_token_key(instance.pk)])
    elif pk_set:
        bump_tokens(user_token_key(pk) for pk in pk_set)
    else:  # a group or permission cleared of all its users
        bump_tokens([EVERYONE])


def connect() -> None:
    user_model = get_user_model()
    uid = "beian-permission-cache"
    post_save.connect(_user_saved, sender=user_model, dispatch_uid=f"{uid}-user-saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid=f"{uid}-user-deleted")
    for model in (Group, Permission):
        post_save.connect(_everyone, sender=model, dispatch_uid=f"{uid}-{model.__name__}-saved")
        post_delete.connect(_everyone, sender=model, dispatch_uid=f"{uid}-{model.__name__}-deleted")
    m2m_changed.connect(_everyone, sender=Group.permissions.through, dispatch_uid=f"{uid}-group-perms")
    m2m_changed.connect(_user_links_changed, sender=user_model.groups.through, dispatch_uid=f"{uid}-groups")
    m2m_changed.connect(
        _user_links_changed, sender=user_model.user_permissions.through, dispatch_uid=f"{uid}-user-perms"
    )
