"""The user model: a Django user with the contact data filing work needs."""

from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
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

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_perm(self, perm, obj=None) -> bool:
        if obj is None and self.is_active and not self.is_superuser and not hasattr(self, "_perm_cache"):
            # Every page asks (the second-factor middleware, the navigation): Django's ModelBackend
            # reads the user's own and their groups' permissions in two queries and keeps them on
            # this object for the request as _perm_cache; read them in one.
            self._perm_cache = self.permission_names()
        return super().has_perm(perm, obj)

    def permission_names(self) -> set[str]:
        """Return "app_label.codename" of the user's own permissions and their groups', in one query."""
        fields = ("content_type__app_label", "codename")
        own = Permission.objects.filter(user=self).order_by().values_list(*fields)
        via_groups = Permission.objects.filter(group__user=self).order_by().values_list(*fields)
        return {f"{app_label}.{codename}" for app_label, codename in own.union(via_groups)}

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
