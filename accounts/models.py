"""The user model: a Django user with the contact data filing work needs."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Perm


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [
            ("work_on_own_filings", _("办理分配给自己的备案")),
            ("review_filings", _("初审并记录管局结果")),
            ("view_all_filings", _("查看所有备案")),
            ("view_dashboard", _("查看统计看板")),
            ("manage_reference_data", _("维护省份、日历等参考数据")),
        ]
        # The alert scan finds the few superusers among every principal each minute.
        indexes = [models.Index(fields=["id"], condition=Q(is_superuser=True), name="user_superusers")]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_reviewer(self) -> bool:
        return self.has_perm(Perm.REVIEW)

    @property
    def is_manager(self) -> bool:
        return self.has_perm(Perm.DASHBOARD)

    @property
    def sees_all_filings(self) -> bool:
        return self.has_perm(Perm.VIEW_ALL)

    @property
    def sees_personal_data(self) -> bool:
        """Return whether unmasked ID numbers and phones of any filing may be shown."""
        return self.has_perm(Perm.REVIEW)
