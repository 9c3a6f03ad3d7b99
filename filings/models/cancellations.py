"""Cancellations (注销主体 / 注销网站 / 注销APP) and cancel access (取消接入) of published filings."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from filings.models.apps import App
from filings.models.filing import Filing
from filings.models.websites import Website


class Cancellation(models.Model):
    """The short form of a cancellation filing: what is cancelled, why, and its confirmation."""

    class Scope(models.TextChoices):
        SUBJECT = "subject", _("注销主体")
        WEBSITE = "website", _("注销网站")
        APP = "app", _("注销APP")
        ACCESS = "access", _("取消接入")

    class Reason(models.TextChoices):
        CLOSED = "closed", _("网站或应用不再运营")
        DOMAIN_EXPIRED = "domain_expired", _("域名到期不再续费")
        HOSTING_ENDED = "hosting_ended", _("服务器到期或停止接入")
        MOVED = "moved", _("迁移到其他接入服务商")
        SUBJECT_DISSOLVED = "subject_dissolved", _("主体注销或不再经营")
        OTHER = "other", _("其他")

    filing = models.OneToOneField(
        Filing, verbose_name=_("注销备案"), on_delete=models.CASCADE, related_name="cancellation"
    )
    scope = models.CharField(_("注销类型"), max_length=16, choices=Scope.choices)
    website = models.ForeignKey(
        Website, verbose_name=_("网站"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    app = models.ForeignKey(
        App, verbose_name=_("应用"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=32, choices=Reason.choices)
    explanation = models.TextField(_("说明"), blank=True, max_length=1000)
    # Cancel access: the provider that goes on hosting the site; none leaves an unhosted "shell".
    next_provider = models.CharField(_("继续接入的服务商"), max_length=100, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"))
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("注销")
        verbose_name_plural = _("注销")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="subject") | Q(website__isnull=False) | Q(app__isnull=False),
                name="cancellation_names_its_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.website or self.app or ''}".strip()

    @property
    def item_name(self) -> str:
        item = self.website or self.app
        return item.name if item else self.filing.subject.name

    @property
    def leaves_shell(self) -> bool:
        return self.scope == self.Scope.ACCESS and not self.next_provider.strip()
