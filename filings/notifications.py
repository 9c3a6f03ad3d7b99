"""Notifications: email to the service principal after a transition, deadline alerts (in-app, email,
SMS) and the SMS channel interface."""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.fields import field_label
from filings.thresholds import threshold_label

logger = logging.getLogger(__name__)


class SmsBackend:
    """Interface of an SMS channel: send one text to one mainland mobile number."""

    def send(self, *, mobile: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Record SMS texts in the log instead of sending them (there is no gateway here)."""

    sent: list[tuple[str, str]] = []

    def send(self, *, mobile: str, text: str) -> None:
        LoggingSmsBackend.sent.append((mobile, text))
        logger.info("SMS to %s: %s", mobile, text)


def sms_backend() -> SmsBackend:
    return import_string(settings.BEIAN_SMS_BACKEND)()


def record_decision(event, *, filing) -> None:
    """Put a transition someone else made on a filing (a return, rejection, approval…) in its service
    principal's inbox. Runs inside the transition's transaction: the inbox row and the event stand
    or fall together. Its e-mail goes out on commit (notify_transition)."""
    from filings.models import Notification

    if event.actor_id and event.actor_id == filing.assignee_id:
        return
    Notification.objects.create(
        event=event,
        user_id=filing.assignee_id,
        reason=Notification.Reason.ASSIGNEE,
        created_at=event.at,
        delivered_at=event.at,  # nothing left for the alert delivery to send
    )


def notify_transition(event_id: int) -> None:
    """Tell the filing's service principal what happened (runs after the transition committed)."""
    from filings.models import FilingEvent

    event = FilingEvent.objects.select_related("filing__assignee", "filing__subject", "actor").get(
        pk=event_id
    )
    filing, assignee = event.filing, event.filing.assignee
    if not assignee.email or (event.actor_id and event.actor_id == assignee.pk):
        return
    lines = [
        _("备案:%(subject)s(%(type)s)")
        % {"subject": filing.subject.name, "type": filing.get_filing_type_display()},
        _("阶段:%(from)s → %(to)s")
        % {"from": event.get_from_state_display() or "-", "to": event.get_to_state_display()},
        _("时间:%(at)s") % {"at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")},
    ]
    if event.comment:
        lines.append(_("说明:%(comment)s") % {"comment": event.comment})
    for reason in event.reasons:
        if isinstance(reason, dict) and reason.get("reason") and event.transition != "edit":
            lines.append(reason_line(reason))
    send_mail(
        subject=_("[备案进度] %(subject)s:%(state)s")
        % {"subject": filing.subject.name, "state": event.get_to_state_display()},
        message="\n".join(lines),
        from_email=None,
        recipient_list=[assignee.email],
        fail_silently=True,
    )


def reason_line(reason: dict) -> str:
    """Return one reason as people read it: "- 网站 · 内容描述:原因 建议:…" (labels, never field codes)."""
    text = reason["reason"]
    if reason.get("field"):
        text = _("%(field)s:%(reason)s") % {"field": field_label(reason["field"]), "reason": text}
    if reason.get("suggested_fix"):
        text += " " + _("建议:%(fix)s") % {"fix": reason["suggested_fix"]}
    return f"- {text}"


# Deadline alerts: the texts (Chinese first, English through i18n) and their delivery.

ACTION_TEXTS = {
    ("sms_window", "warning"): gettext_lazy(
        "请提醒每位核验人在截止前完成工信部短信核验;超时后备案将退回信息填报,需重新提交。"
    ),
    ("sms_window", "breach"): gettext_lazy(
        "短信核验未在24小时内完成,备案已退回信息填报。请核对信息后重新提交;通过初审后会再次收到核验短信,"
        "请在24小时内完成核验。"
    ),
    ("prereview_target", "warning"): gettext_lazy(
        "初审已到1个工作日的目标时间。初审员请尽快完成材料审核和电话核实;服务负责人请保持电话畅通。"
    ),
    ("prereview_overdue", "breach"): gettext_lazy(
        "初审已超过2个工作日,已上报管理者。请初审员今天完成初审,或联系客户说明原因。"
    ),
    ("bureau_review", "notice"): gettext_lazy(
        "备案正在管局审核。请保持负责人手机畅通,以便接听管局核查电话。"
    ),
    ("bureau_review", "warning"): gettext_lazy(
        "管局审核即将到达时限。请保持负责人手机畅通;初审员可先向管局了解审核进度。"
    ),
    ("bureau_review", "breach"): gettext_lazy(
        "管局审核已超过时限,已上报管理者。请致电省通信管理局询问进度,并在系统中记录结果。"
    ),
    ("public_security", "warning"): gettext_lazy(
        "网站开通后须在30天内办理公安联网备案。请尽快在全国互联网安全管理服务平台办理,并在系统中登记公安备案号。"
    ),
    ("public_security", "breach"): gettext_lazy(
        "公安联网备案已超过30天期限,已上报管理者。请立即办理,并在系统中登记公安备案号。"
    ),
    ("stale_entry", "notice"): gettext_lazy(
        "备案信息已多日未更新。请继续完善信息并提交初审;如不再需要,请撤回。"
    ),
    ("stale_entry", "warning"): gettext_lazy(
        "备案信息已长时间未更新。请尽快完善信息并提交初审;如不再需要,请撤回。"
    ),
    ("stale_entry", "breach"): gettext_lazy(
        "备案信息已停滞30天,已上报管理者。请联系客户确认是否继续办理,不再办理的请撤回。"
    ),
}
DEFAULT_ACTION = gettext_lazy("请尽快处理该备案。")


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def alert_title(alert) -> str:
    """Return "[预警] 主体名称:短信核验时限 · 到期前4小时" in the active language."""
    repeat = _("(第%(n)s次)") % {"n": alert.occurrence + 1} if alert.occurrence else ""
    return _("[%(severity)s] %(subject)s:%(kind)s · %(label)s%(repeat)s") % {
        "severity": alert.get_severity_display(),
        "subject": alert.filing.subject.name,
        "kind": alert.get_kind_display(),
        "label": threshold_label(alert.threshold),
        "repeat": repeat,
    }


def alert_action(alert) -> str:
    return str(ACTION_TEXTS.get((alert.kind, alert.severity), DEFAULT_ACTION))


def alert_message(alert) -> str:
    """Return the alert's full text: the filing, its stage, the deadline (Asia/Shanghai) and what to do."""
    filing = alert.filing
    deadline = _("截止时间:%(at)s(北京时间)") % {"at": _local(alert.deadline_at)}
    if alert.provisional:
        deadline += _(";暂定:该年度官方放假安排尚未公布,录入后将重新计算")
    lines = [
        _("备案:%(subject)s(%(type)s,#%(id)s)")
        % {"subject": filing.subject.name, "type": filing.get_filing_type_display(), "id": filing.pk},
        _("阶段:%(stage)s") % {"stage": alert.get_stage_display()},
        deadline,
        alert_action(alert),
    ]
    if alert.withdrawn_at:
        lines.append(_("已撤销:%(reason)s") % {"reason": alert.withdrawn_reason})
    return "\n".join(lines)


def alert_sms_text(alert) -> str:
    return _("【备案提醒】%(title)s。截止 %(at)s。%(action)s") % {
        "title": alert_title(alert),
        "at": _local(alert.deadline_at),
        "action": alert_action(alert),
    }


def queue_alert_delivery(alert_ids: list[int]) -> None:
    """Queue email and SMS for new alerts (runs on commit). A broker that cannot be reached must
    not fail the caller: the rows stay undelivered and the next scan delivers them."""
    from filings.tasks import deliver_alert_notifications_task

    try:
        deliver_alert_notifications_task.apply_async(args=[list(alert_ids)], retry=False)
    except Exception:
        logger.warning("Could not queue delivery of %s alerts; the next scan delivers them.", len(alert_ids))


DELIVERY_BATCH = 200


def deliver_alert_notifications(
    *, alert_ids: list[int] | None = None, created_before: datetime | None = None
) -> int:
    """Send the email and SMS of undelivered notifications (each once; rows locked as they go)."""
    from filings import page_cache
    from filings.models import Notification

    delivered = 0
    while True:
        with transaction.atomic():
            pending = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
                delivered_at__isnull=True, alert__isnull=False
            )
            if alert_ids is not None:
                pending = pending.filter(alert_id__in=alert_ids)
            if created_before is not None:
                pending = pending.filter(created_at__lt=created_before)
            batch = list(
                pending.select_related("user", "alert__threshold", "alert__filing__subject").order_by(
                    "created_at", "id"
                )[:DELIVERY_BATCH]
            )
            if not batch:
                return delivered
            now = timezone.now()
            with translation.override(settings.LANGUAGE_CODE):
                for notification in batch:
                    _deliver(notification, now=now)
            Notification.objects.bulk_update(batch, ["emailed_at", "sms_sent_at", "delivered_at"])
            page_cache.users_changed({n.user_id for n in batch})
        delivered += len(batch)
        if len(batch) < DELIVERY_BATCH:
            return delivered


def _deliver(notification, *, now: datetime) -> None:
    alert, user = notification.alert, notification.user
    notification.delivered_at = now
    if alert.withdrawn_at is not None:
        return
    if alert.threshold.send_email and user.email:
        try:
            send_mail(
                subject=alert_title(alert),
                message=alert_message(alert),
                from_email=None,
                recipient_list=[user.email],
            )
            notification.emailed_at = now
        except Exception:
            logger.exception("Alert email to user %s failed", user.pk)
    if alert.threshold.send_sms and getattr(user, "mobile", ""):
        try:
            sms_backend().send(mobile=user.mobile, text=alert_sms_text(alert))
            notification.sms_sent_at = now
        except Exception:
            logger.exception("Alert SMS to user %s failed", user.pk)
