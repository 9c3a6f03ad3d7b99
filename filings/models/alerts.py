"""Deadline alerts: the thresholds that raise them (data), the alerts themselves and each user's inbox rows."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from config.per_language import choice_label, per_language
from filings.kinds.states import State
from filings.models.deadlines import STALE_ENTRY_DAYS, Deadline
from filings.models.filing import Filing
from filings.models.history import FilingEvent


class Severity(models.TextChoices):
    NOTICE = "notice", pgettext_lazy("alert severity", "提醒")  # "提醒" alone also names alerts
    WARNING = "warning", _("预警")
    BREACH = "breach", _("超期")


# The name of a threshold ("到期前4小时", "停滞15天"), said from its kind and parameters in the
# reader's language; an admin's own name, when given, is shown as written.
# What reaching the deadline itself means, by the deadline's kind.
AT_DEADLINE = {
    Deadline.Kind.SMS_WINDOW: _("超时退回"),
    Deadline.Kind.PREREVIEW_TARGET: _("达到1个工作日目标"),
    Deadline.Kind.PREREVIEW_OVERDUE: _("超过2个工作日"),
    Deadline.Kind.BUREAU_REVIEW: _("超过审核时限"),
    Deadline.Kind.PUBLIC_SECURITY: _("超过30天"),
    Deadline.Kind.FOOTER_FIX: _("页脚检查未通过"),
    Deadline.Kind.SITE_UNREACHABLE: _("整改期已过"),
    Deadline.Kind.SITE_MOVED: _("整改期已过"),
    Deadline.Kind.DOMAIN_EXPIRY: _("域名已到期"),
}
AT_DEADLINE_OTHERWISE = _("到期时")


def _whole_days(offset: timedelta) -> int | None:
    seconds = abs(int(offset.total_seconds()))
    return seconds // 86400 if seconds % 86400 == 0 else None


def _hours(offset: timedelta) -> int:
    return max(1, round(abs(offset.total_seconds()) / 3600))


# Thresholds whose parameters do not say what they mean: the footer period's opening is reached at
# once (it counts more working days back than any period lasts).
NAMED_THRESHOLDS = {
    ("footer_fix", "check_failed"): _("页脚检查未通过,整改期开始"),
    ("site_unreachable", "check_failed"): _("网站无法访问,整改期开始"),
    ("site_moved", "check_failed"): _("网站地址不在接入服务商地址段内,整改期开始"),
    ("contact_confirm", "calls_failed"): _("电话无法联系,请确认联系电话"),
}


def threshold_label(threshold: "AlertThreshold") -> str:
    """Return the threshold's name in the active language (its own label when an admin gave one)."""
    if threshold.label:
        return threshold.label
    return _generated_threshold_label(
        threshold.deadline_kind, threshold.code, threshold.workdays_before, threshold.offset
    )


@per_language
def _generated_threshold_label(
    deadline_kind: str, code: str, workdays_before: int | None, offset: timedelta | None
) -> str:
    named = NAMED_THRESHOLDS.get((deadline_kind, code))
    if named is not None:
        return str(named)
    if workdays_before:
        n = workdays_before
        return ngettext("到期前%(n)s个工作日", "到期前%(n)s个工作日", n) % {"n": n}
    offset = offset or timedelta(0)
    if deadline_kind == Deadline.Kind.STALE_ENTRY:
        n = STALE_ENTRY_DAYS + offset.days
        return ngettext("停滞%(n)s天", "停滞%(n)s天", n) % {"n": n}
    days = _whole_days(offset)
    if offset < timedelta(0) and days:
        return ngettext("到期前%(n)s天", "到期前%(n)s天", days) % {"n": days}
    if offset < timedelta(0):
        return ngettext("到期前%(n)s小时", "到期前%(n)s小时", _hours(offset)) % {"n": _hours(offset)}
    if offset > timedelta(0) and days:
        return ngettext("超期%(n)s天", "超期%(n)s天", days) % {"n": days}
    if offset > timedelta(0):
        return ngettext("超期%(n)s小时", "超期%(n)s小时", _hours(offset)) % {"n": _hours(offset)}
    return str(AT_DEADLINE.get(deadline_kind, AT_DEADLINE_OTHERWISE))


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
        """The threshold's name in the active language (see threshold_label)."""
        return threshold_label(self)


# What to do about each kind of alert, by (deadline kind, severity).
ACTION_TEXTS = {
    ("sms_window", "warning"): _(
        "请提醒每位核验人在截止前完成工信部短信核验;超时后备案将退回信息填报,需重新提交。"
    ),
    ("sms_window", "breach"): _(
        "短信核验未在24小时内完成,备案已退回信息填报。请核对信息后重新提交;通过初审后会再次收到核验短信,"
        "请在24小时内完成核验。"
    ),
    ("prereview_target", "warning"): _(
        "初审已到1个工作日的目标时间。初审员请尽快完成材料审核和电话核实;服务负责人请保持电话畅通。"
    ),
    ("prereview_overdue", "breach"): _(
        "初审已超过2个工作日,已上报管理者。请初审员今天完成初审,或联系客户说明原因。"
    ),
    ("bureau_review", "notice"): _("备案正在管局审核。请保持负责人手机畅通,以便接听管局核查电话。"),
    ("bureau_review", "warning"): _(
        "管局审核即将到达时限。请保持负责人手机畅通;初审员可先向管局了解审核进度。"
    ),
    ("bureau_review", "breach"): _(
        "管局审核已超过时限,已上报管理者。请致电省通信管理局询问进度,并在系统中记录结果。"
    ),
    ("public_security", "warning"): _(
        "网站开通后须在30天内办理公安联网备案。请尽快在全国互联网安全管理服务平台办理,并在系统中登记公安备案号。"
    ),
    ("public_security", "breach"): _(
        "公安联网备案已超过30天期限,已上报管理者。请立即办理,并在系统中登记公安备案号。"
    ),
    ("face_check", "warning"): _(
        "真实性核验即将到期。请提醒每位负责人尽快用手机完成人脸核验;超时后备案将退回信息填报,需重新提交。"
    ),
    ("face_check", "breach"): _(
        "真实性核验未在有效时间内完成,备案已退回信息填报。请重新提交,初审通过后负责人须在有效时间内完成人脸核验。"
    ),
    ("stale_entry", "notice"): _("备案信息已多日未更新。请继续完善信息并提交初审;如不再需要,请撤回。"),
    ("stale_entry", "warning"): _("备案信息已长时间未更新。请尽快完善信息并提交初审;如不再需要,请撤回。"),
    ("stale_entry", "breach"): _(
        "备案信息已停滞30天,已上报管理者。请联系客户确认是否继续办理,不再办理的请撤回。"
    ),
    ("footer_fix", "notice"): _(
        "网站页脚检查未通过。请在整改期限内按下列说明修改网站,修改后检查会自动重试,通过后提醒自动撤销。"
    ),
    ("footer_fix", "warning"): _(
        "页脚整改期限只剩1个工作日。请尽快按下列说明修改网站,期满仍未通过将上报管理者。"
    ),
    ("footer_fix", "breach"): _("页脚整改期限已过,网站仍未通过检查,已上报管理者。请立即按下列说明修改网站。"),
    ("site_unreachable", "notice"): _(
        "定期巡检无法访问网站。长期无法访问的网站会被管局作为空壳网站注销:请在整改期限内恢复网站,恢复后提醒自动撤销。"
    ),
    ("site_moved", "notice"): _(
        "网站解析到的地址不在接入服务商登记的地址段内。若已迁往其他服务商,请办理取消接入和新增接入;否则请恢复解析。"
    ),
    ("domain_expiry", "notice"): _("网站域名将在30天内到期。域名到期后备案可能被注销,请及时续费。"),
    ("domain_expiry", "warning"): _("网站域名将在7天内到期。域名到期后备案可能被注销,请立即续费。"),
    ("domain_expiry", "breach"): _(
        "网站域名已到期,备案有被注销的风险,已上报管理者。请续费域名,或注销该网站的备案。"
    ),
    ("contact_confirm", "notice"): _(
        "服务商多次电话联系负责人未果。请核对并确认联系电话;号码已变更的,请提交变更备案。"
    ),
}
DEFAULT_ACTION = _("请尽快处理该备案。")


class Alert(models.Model):
    """One alert: a deadline reached one of its thresholds (once per filing, stage visit, kind, threshold)."""

    Severity = Severity

    # Indexed by alert_filing_raised, which starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="alerts", db_index=False
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
        return f"{self.severity_label} · {self.kind_label} · {self.threshold.name}"

    # Django's get_FOO_display() translates every choice to look one up (a page of 50 alerts made
    # 3,000 translations); these translate one.
    @property
    def severity_label(self) -> str:
        return choice_label(Severity, self.severity)

    @property
    def kind_label(self) -> str:
        return choice_label(Deadline.Kind, self.kind)

    @property
    def stage_label(self) -> str:
        return choice_label(State, self.stage)

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def title(self) -> str:
        """Return "[预警] 主体名称:短信核验时限 · 到期前4小时" in the active language."""
        texts = _alert_texts()
        repeat = texts["repeat"] % {"n": self.occurrence + 1} if self.occurrence else ""
        return texts["title"] % {
            "severity": self.severity_label,
            "subject": self.filing.subject.name,
            "kind": self.kind_label,
            "label": self.threshold.name,
            "repeat": repeat,
        }

    @property
    def action(self) -> str:
        """Return what the recipient should do, in the active language."""
        return _action_text(self.kind, self.severity)

    @property
    def message(self) -> str:
        """Return the full text: the filing, its stage, the deadline (Asia/Shanghai) and what to do."""
        filing, texts = self.filing, _alert_texts()
        if self.kind == Deadline.Kind.STALE_ENTRY:
            deadline = self.stalled
        else:
            deadline = texts["deadline"] % {"at": _local(self.deadline_at)}
            if self.provisional:
                deadline += texts["provisional"]
        lines = [
            texts["filing"]
            % {
                "subject": filing.subject.name,
                "type": choice_label(Filing.Type, filing.filing_type),
                "id": filing.pk,
            },
            texts["stage"] % {"stage": self.stage_label},
            deadline,
            self.action,
        ]
        if self.withdrawn_at:
            lines.append(texts["withdrawn"] % {"reason": self.shown_withdrawn_reason})
        return "\n".join(lines)

    @property
    def stalled(self) -> str:
        """Return how long a draft had stalled at this reminder: entry has no time limit, so its
        stale-entry clock's end (deadline_at) is no deadline to show."""
        since = self.deadline_at - timedelta(days=STALE_ENTRY_DAYS)
        days = (self.due_at - since).days
        return ngettext(
            "已停滞 %(days)s 天(最近一次更新:%(since)s,北京时间)",
            "已停滞 %(days)s 天(最近一次更新:%(since)s,北京时间)",
            days,
        ) % {"days": days, "since": _local(since)}

    @property
    def shown_withdrawn_reason(self) -> str:
        """The reason in the reader's language: the system's reasons are stored as their Chinese
        source text (the scan runs in the default language), which the catalogue translates."""
        return gettext(self.withdrawn_reason) if self.withdrawn_reason else ""

    @property
    def sms_text(self) -> str:
        if self.kind == Deadline.Kind.STALE_ENTRY:
            return gettext("【备案提醒】%(title)s。%(action)s") % {"title": self.title, "action": self.action}
        return gettext("【备案提醒】%(title)s。截止 %(at)s。%(action)s") % {
            "title": self.title,
            "at": _local(self.deadline_at),
            "action": self.action,
        }


@per_language
def _alert_texts() -> dict[str, str]:
    # An inbox page of 50 alerts translated these some 300 times.
    return {
        "repeat": gettext("(第%(n)s次)"),
        "title": gettext("[%(severity)s] %(subject)s:%(kind)s · %(label)s%(repeat)s"),
        "deadline": gettext("截止时间:%(at)s(北京时间)"),
        "provisional": gettext(";暂定:该年度官方放假安排尚未公布,录入后将重新计算"),
        "filing": gettext("备案:%(subject)s(%(type)s,#%(id)s)"),
        "stage": gettext("阶段:%(stage)s"),
        "withdrawn": gettext("已撤销:%(reason)s"),
    }


@per_language
def _action_text(kind: str, severity: str) -> str:
    return str(ACTION_TEXTS.get((kind, severity), DEFAULT_ACTION))


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class Notification(models.Model):
    """One row of a user's inbox: a deadline alert (with what was delivered by email and SMS), or a
    decision on their filing (a return, a rejection, an approval…), which names the event."""

    class Reason(models.TextChoices):
        ASSIGNEE = "assignee", _("服务负责人")
        REVIEWER = "reviewer", _("初审员")
        MANAGER = "manager", _("管理者(上报)")

    # The three keys are indexed by the constraints and the inbox index that start with them.
    alert = models.ForeignKey(
        Alert,
        verbose_name=_("提醒"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    event = models.ForeignKey(
        FilingEvent,
        verbose_name=_("办理记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="alert_notifications",
        db_index=False,
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
    # The dashboard's deadline lists' totals as of scanned_until (filings/reads/dashboard.py), so
    # that its views need not count them; empty on scans recorded before they were kept.
    overdue_total = models.PositiveIntegerField(_("超期总数"), null=True, blank=True)
    at_risk_total = models.PositiveIntegerField(_("临近截止总数"), null=True, blank=True)
    provisional_total = models.PositiveIntegerField(_("暂定截止总数"), null=True, blank=True)

    class Meta:
        ordering = ["-scanned_until"]
        verbose_name = _("截止时间扫描")
        verbose_name_plural = _("截止时间扫描")

    def __str__(self) -> str:
        return f"{self.scanned_until:%Y-%m-%d %H:%M}"
