"""Notifications sent after a filing changes: email to the service principal, SMS channel interface."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

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
        if "reason" in reason:
            lines.append(f"- {reason.get('field', '')}: {reason['reason']} {reason.get('suggested_fix', '')}")
    send_mail(
        subject=_("[备案进度] %(subject)s:%(state)s")
        % {"subject": filing.subject.name, "state": event.get_to_state_display()},
        message="\n".join(lines),
        from_email=None,
        recipient_list=[assignee.email],
        fail_silently=True,
    )
