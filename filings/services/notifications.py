"""Notifications: email to the service principal after a transition, deadline alerts (in-app, email,
SMS) and the SMS channel interface."""

import logging
from collections.abc import Iterable
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from filings.kinds.states import State
from filings.rules.deadlines import owes_public_security, read_what_is_online
from filings.rules.fields import field_label
from filings.rules.footer_guidance import failing_footer_guidance
from filings.services import bulk_rows

logger = logging.getLogger(__name__)


class SmsBackend:
    """Interface of an SMS channel: send one text to one mainland mobile number. The gateway's
    delivery reports come back to POST /api/v1/sms/delivery-reports/ (its shared secret in
    BEIAN_SMS_REPORT_SECRET), or a backend that polls its gateway hands them to
    contacts.record_sms_delivery_reports: undelivered texts count as failed attempts to reach."""

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


def sms_backend_sends_nothing() -> bool:
    """Return whether the configured SMS channel only writes the texts to the log (development)."""
    return issubclass(import_string(settings.BEIAN_SMS_BACKEND), LoggingSmsBackend)


def record_decisions(events: list) -> None:
    """Put the transitions someone else made on filings (a return, rejection, approval…) in their
    service principals' inboxes, one statement for them all; each event carries its filing. Runs
    inside the transitions' transaction: the inbox rows and the events stand or fall together. Their
    e-mails go out on commit (send_transition_mails)."""
    from filings.models import Notification

    bulk_rows.insert(
        [
            Notification(
                event=event,
                user_id=event.filing.assignee_id,
                reason=Notification.Reason.ASSIGNEE,
                created_at=event.at,
                delivered_at=event.at,  # nothing left for the alert delivery to send
            )
            for event in events
            if not (event.actor_id and event.actor_id == event.filing.assignee_id)
        ]
    )


def where_to_act(event) -> tuple[str, str, str]:
    """Return (path, action, tone) of the place a principal acts on a decision: the reasons to fix
    (while the filing is still in the stage the decision sent it to), the SMS step, the
    public-security step (while it is owed), or the filing."""
    from filings.models import FIX_TRANSITIONS, Transition, finish_transition

    filing = event.filing
    detail = reverse("filings:detail", args=[filing.pk])
    if event.transition in FIX_TRANSITIONS:
        if filing.stage_visit == event.stage_visit:
            return f"{detail}#reasons", _("查看原因并修改"), "fail"
        return detail, _("查看备案"), "fail"
    if event.transition == Transition.PASS_REVIEW and _sms_window_open(filing, event.stage_visit):
        return reverse("filings:sms", args=[filing.pk]), _("去完成短信核验"), "pass"
    if event.transition == Transition.PASS_REVIEW and filing.state == "sms_verification":
        return f"{detail}#face-check-h", _("去完成真实性核验"), "pass"
    # Asked of a type whose publication owes the registration, until its number is recorded (or taken
    # over by a new access) or nothing of it is online any more; then the approval is only history.
    if event.transition == finish_transition(filing) and owes_public_security(filing):
        return f"{detail}#next-h", str(filing.kind.words.after_approval_action), "pass"
    return detail, _("查看备案"), "pass"


def landed_in(event) -> str:
    """Return what the filing became by the event: the stage, or for the approval that ends its type,
    what that approval did (备案已公示, 已注销, 变更已生效…)."""
    from filings.models import finish_transition

    if event.transition == finish_transition(event.filing):
        return str(event.filing.kind.words.approved_state)
    return state_label(event.to_state)


def state_label(value: str) -> str:
    """Return a stage's name in the reader's language ("" for none); get_FOO_display would translate
    every stage to find it."""
    return str(State(value).label) if value in State.values else value


def _sms_window_open(filing, stage_visit: int) -> bool:
    """Return whether the filing still waits, in that visit of the SMS stage, for SMS codes (not only
    for its face check)."""
    if filing.state != "sms_verification" or filing.stage_visit != stage_visit:
        return False
    return filing.deadlines.filter(kind="sms_window", stage_visit=stage_visit, closed_at=None).exists()


def notify_transition(event_id: int) -> None:
    """Tell the filing's service principal what happened (runs after the transition committed)."""
    notify_transitions([event_id])


def notify_transitions(event_ids: list[int]) -> None:
    """Tell each filing's service principal what happened, a mail per event, sent through one
    connection (runs after the transitions committed)."""
    from filings.models import FilingEvent

    send_transition_mails(
        FilingEvent.objects.select_related("filing__assignee", "filing__subject")
        .defer("filing__search_document")
        .filter(pk__in=event_ids)
        .order_by("pk")
    )


def send_transition_mails(events: Iterable) -> None:
    """Send the mails of these committed events (transition_mail), through one connection. Events
    written in this process carry their filings as written: only the principals and subjects not
    already with them are read (a statement each), not the events and filings again."""
    events = list(events)
    prefetch_related_objects(events, "filing__assignee", "filing__subject")
    read_what_is_online(event.filing for event in events)  # where_to_act's public-security step
    # The principal's language is not stored: the site's, as for alert mails, not the language of
    # the reviewer whose request happens to send it.
    with translation.override(settings.LANGUAGE_CODE):
        messages = [message for event in events if (message := transition_mail(event)) is not None]
    if messages:
        get_connection(fail_silently=True).send_messages(messages)


def transition_mail(event) -> EmailMessage | None:
    """Return the mail telling the filing's service principal of the event (None when they made it
    themselves or have no address)."""
    filing, assignee = event.filing, event.filing.assignee
    if not assignee.email or (event.actor_id and event.actor_id == assignee.pk):
        return None
    lines = [
        _("备案:%(subject)s(%(type)s)") % {"subject": filing.subject.name, "type": filing.type_label},
        _("阶段:%(from)s → %(to)s") % {"from": state_label(event.from_state) or "-", "to": landed_in(event)},
        _("时间:%(at)s") % {"at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")},
    ]
    if event.comment:
        lines.append(_("说明:%(comment)s") % {"comment": event.shown_comment})
    for reason in event.shown_reasons:
        if isinstance(reason, dict) and reason.get("reason") and event.transition != "edit":
            lines.append(reason_line(reason))
    path, action, _tone = where_to_act(event)
    lines.append(f"{action}:{settings.BEIAN_SITE_URL.rstrip('/')}{path}")
    return EmailMessage(
        subject=_("[备案进度] %(subject)s:%(state)s")
        % {"subject": filing.subject.name, "state": landed_in(event)},
        body="\n".join(lines),
        to=[assignee.email],
    )


def reason_line(reason: dict) -> str:
    """Return one reason as people read it: "- 网站 · 内容描述:原因 建议:…" (labels, never field codes)."""
    text = reason["reason"]
    if reason.get("field"):
        text = _("%(field)s:%(reason)s") % {"field": field_label(reason["field"]), "reason": text}
    if reason.get("suggested_fix"):
        text += " " + _("建议:%(fix)s") % {"fix": reason["suggested_fix"]}
    return f"- {text}"


# Deadline alerts: their delivery by email and SMS (the texts are the alert's own).


DELIVERY_TASK = "filings.tasks.deliver_alert_notifications_task"


def queue_alert_delivery(alert_ids: list[int]) -> None:
    """Queue email and SMS for new alerts (runs on commit). A broker that cannot be reached must
    not fail the caller: the rows stay undelivered and the next scan delivers them."""
    try:
        # By name: the tasks module imports this one, so this one does not import it back.
        current_app.send_task(DELIVERY_TASK, args=[list(alert_ids)], retry=False)
    except Exception:
        logger.warning("Could not queue delivery of %s alerts; the next scan delivers them.", len(alert_ids))


DELIVERY_BATCH = 200


def deliver_alert_notifications(
    *, alert_ids: list[int] | None = None, created_before: datetime | None = None
) -> int:
    """Send the email and SMS of undelivered notifications (each once; rows locked as they go)."""
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
        delivered += len(batch)
        if len(batch) < DELIVERY_BATCH:
            return delivered


def alert_message(alert) -> str:
    """Return the alert's full text, with what to fix on the site for a failed footer check."""
    lines = [alert.message]
    if alert.kind == "footer_fix" and not alert.withdrawn_at:
        for guidance in failing_footer_guidance(alert.filing):
            lines.append(guidance.title)
            lines.extend(f"- {problem}" for problem in guidance.problems)
            lines.append(_("怎么改:%(fix)s") % {"fix": guidance.fix})
    return "\n".join(lines)


def _deliver(notification, *, now: datetime) -> None:
    alert, user = notification.alert, notification.user
    notification.delivered_at = now
    if alert.withdrawn_at is not None:
        return
    if alert.threshold.send_email and user.email:
        try:
            send_mail(
                subject=alert.title,
                message=alert_message(alert),
                from_email=None,
                recipient_list=[user.email],
            )
            notification.emailed_at = now
        except Exception:
            logger.exception("Alert email to user %s failed", user.pk)
    if alert.threshold.send_sms and getattr(user, "mobile", ""):
        try:
            sms_backend().send(mobile=user.mobile, text=alert.sms_text)
            notification.sms_sent_at = now
        except Exception:
            logger.exception("Alert SMS to user %s failed", user.pk)
