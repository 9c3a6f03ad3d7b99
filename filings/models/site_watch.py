"""Watching published websites: the access providers' declared address ranges, every scheduled
check's outcome, what is kept per checked site, and how far the check rotation has got."""

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing
from filings.models.rotation import RotationPhase
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

    # Found through an index or constraint below that starts with it.
    provider = models.CharField(_("接入服务商"), max_length=100, help_text=_("与网站的“接入服务商”一致"))
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

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="site_checks", db_index=False
    )
    # Found through an index or constraint below that starts with it.
    website = models.ForeignKey(
        Website, verbose_name=_("网站"), on_delete=models.CASCADE, related_name="site_checks", db_index=False
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
    """What the rotation keeps about a website it has checked: its last check, its run of failures
    and, while it fails, when to check it again. Its place in the rotation is not stored: it is the
    phase derived from its id (filings.models.rotation)."""

    website = models.OneToOneField(
        Website, verbose_name=_("网站"), on_delete=models.CASCADE, related_name="watch", primary_key=True
    )
    filing = models.ForeignKey(Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="+")
    # Set while the site fails (BEIAN_SITE_RECHECK_FAILING_HOURS ahead), cleared by a pass.
    recheck_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
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
        indexes = [
            models.Index(
                fields=["recheck_at", "website"],
                condition=Q(recheck_at__isnull=False),
                name="site_watch_recheck",
            ),
            # The rotation finds the watches of sites no longer watched among the phases it sweeps.
            models.Index(RotationPhase("website"), "website", name="site_watch_phase"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consecutive_failures__gte=0), name="site_watch_failures_nonneg"
            )
        ]

    def __str__(self) -> str:
        return str(self.website)


class SiteRotation(models.Model):
    """How far the sweep of the site-check rotation has got (one row).

    A position is a whole number of intervals since the rotation's epoch (cycle) and the phase
    within that interval: every watched site whose phase the sweep has passed has been claimed.
    Both are stored exactly, so that the next claim starts just after the last site taken."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    cycle = models.BigIntegerField(_("巡检轮次"))
    phase = models.FloatField(_("轮内相位"))
    # Positions count intervals of this length; another setting restarts the sweep at its own count.
    interval_hours = models.PositiveIntegerField(_("巡检间隔(小时)"))
    swept_at = models.DateTimeField(_("推进时间"))

    class Meta:
        verbose_name = _("网站巡检进度")
        verbose_name_plural = _("网站巡检进度")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="site_rotation_one_row")]

    def __str__(self) -> str:
        return f"{self.cycle} + {self.phase:.6f}"
