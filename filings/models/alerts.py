"""Deadline alerts: the thresholds that raise them (data), the alerts themselves and each user's inbox rows."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from filings.models.core import Deadline, Filing, FilingEvent
from filings.states import State


class Severity(models.TextChoices):
    NOTICE = "notice", pgettext_lazy("alert severity", "提醒")  # "提醒" alone also names alerts
    WARNING = "warning", _("预警")
    BREACH = "breach", _("超期")


class AlertThreshold(models.Model):
    """A point relative to a deadline at which an alert is raised (editable in the admin)."""

    deadline_kind = models.CharField(_("截止类型"), max_length=32, choices=Deadline.Kind.choices)
    code = models.SlugField(_("代码"), max_length=32)
    label = models.CharField(
        _("名称"),
        max_length=64,
        blank=True,
        help_text=_("留空则按类型和时间生成,并随读者的语言显示(例如 到期前4小时);填写后按原文显示"),
    )
    offset = models.DurationField(
        _("相对截止时间"),
        default=timedelta(0),
        help_text=_("负数表示截止前,例如 -4:00:00 为截止前4小时;0 为到期时"),
    )
    workdays_before = models.PositiveSmallIntegerField(
        _("截止前工作日数"),
        null=True,
        blank=True,
        help_text=_("填写后按工作日计算:剩余 N 个工作日的当天 0 点起提醒,并忽略“相对截止时间”"),
    )
    severity = models.CharField(_("级别"), max_length=16, choices=Severity.choices, default=Severity.WARNING)
    escalate = models.BooleanField(_("上报管理者"), default=False)
    repeat_every = models.DurationField(
        _("重复间隔"), null=True, blank=True, help_text=_("超期后仍未处理时按此间隔重复提醒,例如 1 day")
    )
    send_email = models.BooleanField(_("发送邮件"), default=True)
    send_sms = models.BooleanField(_("发送短信"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["deadline_kind", "workdays_before", "offset"]
        verbose_name = _("提醒阈值")
        verbose_name_plural = _("提醒阈值")
        constraints = [
            models.UniqueConstraint(fields=["deadline_kind", "code"], name="alert_threshold_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.get_deadline_kind_display()} · {self.name}"

    @property
    def name(self) -> str:
        """The threshold's name in the active language (see filings.thresholds)."""
        from filings.thresholds import threshold_label

        return threshold_label(self)


class Alert(models.Model):
    """One alert: a deadline reached one of its thresholds (once per filing, stage visit, kind, threshold)."""

    Severity = Severity

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="alerts"
    )
    deadline = models.ForeignKey(
        Deadline, verbose_name=_("截止时间"), on_delete=models.CASCADE, related_name="alerts"
    )
    threshold = models.ForeignKey(
        AlertThreshold, verbose_name=_("阈值"), on_delete=models.PROTECT, related_name="alerts"
    )
    stage = models.CharField(_("阶段"), max_length=32, choices=State.choices)
    stage_visit = models.PositiveIntegerField(_("阶段序号"))
    kind = models.CharField(_("截止类型"), max_length=32, choices=Deadline.Kind.choices)
    # 0 for the first alert of a threshold; 1, 2, … for the daily repeats of a breach.
    occurrence = models.PositiveSmallIntegerField(_("第几次"), default=0)
    severity = models.CharField(_("级别"), max_length=16, choices=Severity.choices)
    escalated = models.BooleanField(_("已上报管理者"), default=False)
    due_at = models.DateTimeField(_("提醒时间点"))
    deadline_at = models.DateTimeField(_("截止时间"))
    provisional = models.BooleanField(_("暂定截止时间"), default=False)
    raised_at = models.DateTimeField(_("产生时间"), default=timezone.now)
    # When the next repeat of a breach is due; cleared once the repeat is raised or the deadline closed.
    repeat_due_at = models.DateTimeField(_("下次重复时间"), null=True, blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        through="Notification",
        related_name="alerts",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        constraints = [
            # A withdrawn alert frees its slot: a recomputed deadline may reach the threshold again.
            models.UniqueConstraint(
                fields=["filing", "stage_visit", "kind", "threshold", "occurrence"],
                condition=Q(withdrawn_at__isnull=True),
                name="alert_once_per_threshold",
            ),
        ]
        indexes = [
            models.Index(
                fields=["repeat_due_at"], condition=Q(repeat_due_at__isnull=False), name="alert_repeat_due"
            ),
            models.Index(fields=["filing", "-raised_at"], name="alert_filing_raised"),
            models.Index(fields=["-raised_at", "-id"], name="alert_raised"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} · {self.get_kind_display()} · {self.threshold.name}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def title(self) -> str:
        """A one-line summary in the active language."""
        from filings.notifications import alert_title

        return alert_title(self)

    @property
    def message(self) -> str:
        """The full text in the active language: filing, stage, deadline (Asia/Shanghai), what to do."""
        from filings.notifications import alert_message

        return alert_message(self)


class Notification(models.Model):
    """One row of a user's inbox: a deadline alert (with what was delivered by email and SMS), or a
    decision on their filing (a return, a rejection, an approval…), which names the event."""

    class Reason(models.TextChoices):
        ASSIGNEE = "assignee", _("服务负责人")
        REVIEWER = "reviewer", _("初审员")
        MANAGER = "manager", _("管理者(上报)")

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("提醒"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        FilingEvent,
        verbose_name=_("办理记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="alert_notifications",
    )
    reason = models.CharField(_("接收原因"), max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    # Email and SMS are sent after commit; rows still undelivered are picked up by the next scan.
    delivered_at = models.DateTimeField(_("投递完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("站内提醒")
        verbose_name_plural = _("站内提醒")
        constraints = [
            models.UniqueConstraint(fields=["alert", "user"], name="notification_once_per_user"),
            models.UniqueConstraint(fields=["event", "user"], name="notification_event_once_per_user"),
            models.CheckConstraint(
                condition=Q(alert__isnull=False, event__isnull=True)
                | Q(alert__isnull=True, event__isnull=False),
                name="notification_alert_or_event",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_inbox"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["created_at"], condition=Q(delivered_at__isnull=True), name="notification_undelivered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.alert_id or self.event_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class AlertScan(models.Model):
    """A completed deadline scan; the latest one's time is where the next scan's window starts."""

    scanned_until = models.DateTimeField(_("扫描截至"), db_index=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), default=timezone.now)
    raised = models.PositiveIntegerField(_("新提醒数"), default=0)
    expired = models.PositiveIntegerField(_("短信超时退回数"), default=0)

    class Meta:
        ordering = ["-scanned_until"]
        verbose_name = _("截止时间扫描")
        verbose_name_plural = _("截止时间扫描")

    def __str__(self) -> str:
        return f"{self.scanned_until:%Y-%m-%d %H:%M}"
