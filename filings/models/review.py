"""Reviewer and manager data: footer check results and the statistics summaries the dashboard reads."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import filings.models.wording as wording
from filings.kinds.states import State
from filings.models.filing import Filing
from filings.models.reference import Province
from filings.models.websites import Website


class FooterCheck(models.Model):
    """One check of a published website's home page footer, with what was found and when."""

    class Status(models.TextChoices):
        PASS = "pass", _("通过")
        FAIL = "fail", _("未通过")
        UNREACHABLE = "unreachable", _("无法访问")

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="footer_checks", db_index=False
    )
    # Found through an index or constraint below that starts with it.
    website = models.ForeignKey(
        Website,
        verbose_name=_("网站"),
        on_delete=models.CASCADE,
        related_name="footer_checks",
        db_index=False,
    )
    url = models.URLField(_("检查地址"), max_length=300)
    final_url = models.CharField(_("最终地址"), max_length=2000, blank=True)
    expected_icp = models.CharField(_("应展示的备案号"), max_length=40)
    expected_psb = models.CharField(_("应展示的公安备案号"), max_length=32, blank=True)
    status = models.CharField(_("结果"), max_length=16, choices=Status.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    icp_found = models.BooleanField(_("找到备案号"), default=False)
    icp_linked = models.BooleanField(_("备案号链接到工信部"), default=False)
    psb_found = models.BooleanField(_("找到公安备案号"), null=True, blank=True)
    problems = models.JSONField(_("问题"), default=list, blank=True)
    # The problems as their untranslated sources (filings.models.wording), one for each; empty before.
    problem_sources = models.JSONField(_("问题原文"), default=list, blank=True)
    checked_at = models.DateTimeField(_("检查时间"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空表示定时任务"),
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("页脚检查")
        verbose_name_plural = _("页脚检查")
        indexes = [
            models.Index(fields=["filing", "-checked_at"], name="footer_check_filing"),
            models.Index(fields=["website", "-checked_at"], name="footer_check_website"),
        ]

    def __str__(self) -> str:
        return f"{self.url} {self.get_status_display()} {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def passed(self) -> bool:
        return self.status == self.Status.PASS

    @property
    def shown_problems(self) -> list[str]:
        """Return the problems in the reader's language (those of older checks as stored)."""
        if len(self.problem_sources) != len(self.problems):
            return list(self.problems)
        return [
            wording.say(source, text)
            for source, text in zip(self.problem_sources, self.problems, strict=True)
        ]


# The summaries below are materialised from the filing history by filings.jobs.summaries.refresh_summaries
# (a scheduled task), so that the dashboard reads a few hundred rows instead of a million filings.


class StageCount(models.Model):
    """How many filings are in each state of each province, as of the last refresh."""

    # Found through an index or constraint below that starts with it.
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+", db_index=False)
    state = models.CharField(max_length=32, choices=State.choices)
    filings = models.PositiveIntegerField(default=0)
    # Published filings still without a public-security number (the reviewer's fourth queue).
    awaiting_psb = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("阶段数量汇总")
        verbose_name_plural = _("阶段数量汇总")
        constraints = [models.UniqueConstraint(fields=["province", "state"], name="stage_count_unique")]

    def __str__(self) -> str:
        return f"{self.province_id} {self.state} {self.filings}"


class StageVisitDay(models.Model):
    """Stage visits that ended on one day (Asia/Shanghai), by province, stage, exit and length."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=32, choices=State.choices)
    # The transition that ended the visit (pass_review, return_to_entry, approve, reject…).
    left_by = models.CharField(max_length=48)
    workdays = models.PositiveSmallIntegerField()
    visits = models.PositiveIntegerField(default=0)
    day = models.DateField()

    class Meta:
        verbose_name = _("阶段用时日汇总")
        verbose_name_plural = _("阶段用时日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "province", "stage", "left_by", "workdays"], name="stage_visit_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.province_id} {self.stage} {self.left_by} {self.workdays}"


class StageEntryDay(models.Model):
    """Filings that entered a stage on one day, by province."""

    day = models.DateField()
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=32, choices=State.choices)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("进入阶段日汇总")
        verbose_name_plural = _("进入阶段日汇总")
        constraints = [
            models.UniqueConstraint(fields=["day", "province", "stage"], name="stage_entry_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.province_id} {self.stage} {self.entries}"


class Reasons(models.Model):
    """Structured return or rejection reasons by province: the columns a day and a period share."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    transition = models.CharField(max_length=48)
    # The catalogue code when the reviewer chose one, else the reason text itself.
    key = models.CharField(max_length=200)
    reason = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ReasonDay(Reasons):
    """Structured return or rejection reasons given on one day, by province."""

    day = models.DateField()

    class Meta:
        verbose_name = _("退回原因日汇总")
        verbose_name_plural = _("退回原因日汇总")
        constraints = [
            models.UniqueConstraint(fields=["day", "province", "transition", "key"], name="reason_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.province_id} {self.key} {self.count}"


class StageDuration(models.Model):
    """How long one stage's visits took over a period, in one province or, with no province, the
    whole country: all its visits (the dashboard's median and 90th percentile), those that went on
    towards publication (the publication estimator's median), and how they ended. Rebuilt from the
    day tables with each statistics refresh."""

    period_days = models.PositiveSmallIntegerField()
    province = models.ForeignKey(Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    stage = models.CharField(max_length=32, choices=State.choices)
    visits = models.PositiveIntegerField()
    median_workdays = models.PositiveSmallIntegerField()
    p90_workdays = models.PositiveSmallIntegerField()
    forward_visits = models.PositiveIntegerField()
    forward_median_workdays = models.PositiveSmallIntegerField(null=True, blank=True)
    # How the visits ended: {transition: visits}, e.g. {"pass_review": 10, "return_to_entry": 2}.
    exits = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("阶段用时")
        verbose_name_plural = _("阶段用时")
        indexes = [models.Index(fields=["period_days", "province"], name="stage_duration_period")]

    def __str__(self) -> str:
        return f"{self.period_days}d {self.province_id or '全国'} {self.stage} {self.median_workdays}"


class ReasonRollup(Reasons):
    """ReasonDay summed over one of the dashboard's periods."""

    period_days = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("退回原因汇总")
        verbose_name_plural = _("退回原因汇总")
        indexes = [models.Index(fields=["period_days", "province"], name="reason_rollup_period")]

    def __str__(self) -> str:
        return f"{self.period_days}d {self.province_id} {self.key} {self.count}"


class WeeklyFlow(models.Model):
    """Filings entering and leaving each stage in one week (Monday to Sunday), all provinces."""

    week = models.DateField(help_text=_("该周周一"))
    stage = models.CharField(max_length=32, choices=State.choices)
    entered = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week", "stage"]
        verbose_name = _("每周阶段流量")
        verbose_name_plural = _("每周阶段流量")
        constraints = [models.UniqueConstraint(fields=["week", "stage"], name="weekly_flow_unique")]

    def __str__(self) -> str:
        return f"{self.week} {self.stage} +{self.entered} -{self.left}"


class StatsRefresh(models.Model):
    """A completed refresh of the summaries; the latest one says how fresh the dashboard is."""

    refreshed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Day summaries were rebuilt from this day on (earlier days were kept).
    rebuilt_from = models.DateField(null=True, blank=True)
    events = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-refreshed_at"]
        verbose_name = _("统计刷新")
        verbose_name_plural = _("统计刷新")

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M}"
