"""Watching published websites: the access providers' declared address ranges, each website's place
in the check rotation, and every scheduled check's outcome."""

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing
from filings.models.websites import Website
from filings.models.wording import say


def validate_cidr(value: str) -> None:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as error:
        raise ValidationError(
            _("“%(value)s”不是有效的 IP 地址段(例如 203.0.113.0/24)。"), params={"value": value}
        ) from error


class ProviderAddressRange(models.Model):
    """An address range (CIDR) an access provider declared for the servers it hosts filed sites on."""

    provider = models.CharField(
        _("接入服务商"), max_length=100, db_index=True, help_text=_("与网站的“接入服务商”一致")
    )
    cidr = models.CharField(_("地址段"), max_length=64, validators=[validate_cidr])
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["provider", "cidr"]
        verbose_name = _("接入服务商地址段")
        verbose_name_plural = _("接入服务商地址段")
        constraints = [models.UniqueConstraint(fields=["provider", "cidr"], name="provider_range_unique")]

    def __str__(self) -> str:
        return f"{self.provider} {self.cidr}"

    def save(self, *args, **kwargs) -> None:
        self.cidr = str(ipaddress.ip_network(self.cidr.strip(), strict=False))
        super().save(*args, **kwargs)


class Failure(models.TextChoices):
    """What a site check found wrong; each kind has its own rectification deadline."""

    UNREACHABLE = "unreachable", _("网站无法访问")
    FOOTER = "footer", _("页脚未展示备案号")
    MOVED = "moved", _("网站地址不在接入服务商地址段内")


class SiteCheck(models.Model):
    """One scheduled check of a published website: does it answer, resolve, show its numbers, and
    stand on its access provider's addresses."""

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="site_checks"
    )
    website = models.ForeignKey(
        Website, verbose_name=_("网站"), on_delete=models.CASCADE, related_name="site_checks"
    )
    checked_at = models.DateTimeField(_("检查时间"), default=timezone.now)
    url = models.CharField(_("检查地址"), max_length=300)
    resolves = models.BooleanField(_("域名可解析"))
    addresses = models.JSONField(_("解析到的地址"), default=list, blank=True)
    # None: the provider declared no ranges, so there is nothing to compare with.
    in_provider_ranges = models.BooleanField(_("在接入服务商地址段内"), null=True, blank=True)
    answered = models.BooleanField(_("网站有响应"))
    http_status = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    icp_found = models.BooleanField(_("找到备案号"), default=False)
    icp_linked = models.BooleanField(_("备案号链接到工信部"), default=False)
    psb_found = models.BooleanField(_("找到公安备案号"), null=True, blank=True)
    failures = models.JSONField(_("未通过项"), default=list, blank=True)
    problems = models.JSONField(_("问题"), default=list, blank=True)
    problem_sources = models.JSONField(_("问题原文"), default=list, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("网站巡检")
        verbose_name_plural = _("网站巡检")
        indexes = [
            models.Index(fields=["filing", "-checked_at", "-id"], name="site_check_filing"),
            models.Index(fields=["website", "-checked_at", "-id"], name="site_check_website"),
        ]

    def __str__(self) -> str:
        return f"{self.url} {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def failure_labels(self) -> list[str]:
        return [str(Failure(f).label) for f in self.failures if f in Failure.values]

    @property
    def shown_problems(self) -> list[str]:
        """Return the problems in the reader's language."""
        if len(self.problem_sources) != len(self.problems):
            return list(self.problems)
        return [say(s, t) for s, t in zip(self.problem_sources, self.problems, strict=True)]


class SiteWatch(models.Model):
    """A published website's place in the check rotation and its run of failures."""

    website = models.OneToOneField(
        Website, verbose_name=_("网站"), on_delete=models.CASCADE, related_name="watch", primary_key=True
    )
    filing = models.ForeignKey(Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="+")
    next_check_at = models.DateTimeField(_("下次检查时间"))
    last_check = models.ForeignKey(
        SiteCheck,
        verbose_name=_("最近一次检查"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    failing = models.JSONField(_("当前未通过项"), default=list, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("连续未通过次数"), default=0)
    unreachable_since = models.DateTimeField(_("持续无法访问起始"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报管理者时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("网站巡检安排")
        verbose_name_plural = _("网站巡检安排")
        indexes = [models.Index(fields=["next_check_at", "website"], name="site_watch_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(consecutive_failures__gte=0), name="site_watch_failures_nonneg"
            )
        ]

    def __str__(self) -> str:
        return f"{self.website} → {self.next_check_at:%Y-%m-%d %H:%M}"
