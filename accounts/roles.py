"""The four roles of Beian, each a group holding the permissions below."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PRINCIPAL = "service_principal", _("服务负责人")
    REVIEWER = "provider_reviewer", _("服务商初审员")
    MANAGER = "manager", _("管理者")
    ADMIN = "admin", _("管理员")


class Perm:
    """Codenames of the role permissions, declared on accounts.User."""

    WORK_ON_OWN = "accounts.work_on_own_filings"
    REVIEW = "accounts.review_filings"
    VIEW_ALL = "accounts.view_all_filings"
    DASHBOARD = "accounts.view_dashboard"
    MANAGE_REFERENCE = "accounts.manage_reference_data"


ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.PRINCIPAL: ["work_on_own_filings"],
    Role.REVIEWER: ["review_filings", "view_all_filings"],
    Role.MANAGER: ["view_all_filings", "view_dashboard"],
    Role.ADMIN: [
        "work_on_own_filings",
        "review_filings",
        "view_all_filings",
        "view_dashboard",
        "manage_reference_data",
    ],
}


# The admin role maintains reference data and users in the Django admin.
ADMIN_MODEL_APPS = ["accounts", "filings", "auth", "knox", "axes"]


def grant_admin_model_permissions(**kwargs) -> None:
    """Give the admin group every model permission of Beian's apps.

    Model permissions exist only after post_migrate has created them, so this runs then (idempotent)
    rather than in the migration that creates the groups."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name=Role.ADMIN).first()
    if group is None:
        return
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_MODEL_APPS))


# Permissions that make a user staff: they let the holder see or act on other people's filings.
STAFF_PERMISSIONS = (Perm.REVIEW, Perm.VIEW_ALL, Perm.DASHBOARD, Perm.MANAGE_REFERENCE)


def is_staff_role(user) -> bool:
    """Return whether the user works on filings beyond their own (reviewer, manager, admin)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or user.is_superuser or any(user.has_perm(p) for p in STAFF_PERMISSIONS)
