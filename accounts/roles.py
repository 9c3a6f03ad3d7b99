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
