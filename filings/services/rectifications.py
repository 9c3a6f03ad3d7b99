"""Rectification periods of published filings (页脚、无法访问、接入地址): opened by a failed check
with the province's working days, closed by a later pass, escalated to managers on repeated failure."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_noop

from filings.models import Alert, Deadline, Filing, Notification
from filings.models.site_watch import Failure
from filings.rules import workdays
from filings.services import alert_raising

Kind = Deadline.Kind

# The deadline each kind of failure opens.
DEADLINE_KINDS = {
    Failure.UNREACHABLE: Kind.SITE_UNREACHABLE,
    Failure.FOOTER: Kind.FOOTER_FIX,
    Failure.MOVED: Kind.SITE_MOVED,
}
PASSED_REASONS = {
    Kind.FOOTER_FIX: gettext_noop("页脚检查已通过。"),
    Kind.SITE_UNREACHABLE: gettext_noop("网站已恢复访问。"),
    Kind.SITE_MOVED: gettext_noop("网站地址已回到接入服务商地址段内。"),
    Kind.DOMAIN_EXPIRY: gettext_noop("域名已续费。"),
    Kind.CONTACT_CONFIRM: gettext_noop("服务负责人已确认联系电话。"),
}


def open_rectification(filing: Filing, kind: str, *, now: datetime) -> Deadline | None:
    """Open the rectification period of this kind (the province's working days) unless one is running,
    and raise its first alert at once. Return the deadline opened, or None when one was running."""
    period = filing.province.footer_fix_workdays
    due = workdays.workday_deadline(now, period)
    deadline = Deadline.objects.filter(filing=filing, stage_visit=filing.stage_visit, kind=kind).first()
    if deadline is None:
        deadline = Deadline.objects.create(
            filing=filing,
            stage=filing.state,
            stage_visit=filing.stage_visit,
            kind=kind,
            starts_at=now,
            due_at=due.at,
            workdays=period,
            provisional=due.provisional,
        )
    elif deadline.closed_at is not None:
        deadline.closed_at, deadline.starts_at, deadline.due_at = None, now, due.at
        deadline.workdays, deadline.provisional = period, due.provisional
        deadline.save(update_fields=["closed_at", "starts_at", "due_at", "workdays", "provisional"])
    else:
        return None  # Already failing: the period keeps running from the first failure.
    alert_raising.raise_alerts_for([deadline.pk], now=now)
    return deadline


def close_rectification(filing: Filing, kind: str, *, now: datetime) -> int:
    """Close the open period of this kind and withdraw its alerts. Return how many closed."""
    open_ones = list(Deadline.objects.filter(filing=filing, kind=kind, closed_at__isnull=True))
    if not open_ones:
        return 0
    Deadline.objects.filter(pk__in=[d.pk for d in open_ones]).update(closed_at=now)
    # The problem is fixed: the alert no longer applies, and a later failure may raise a new one.
    alerts = Alert.objects.filter(deadline__in=open_ones, withdrawn_at__isnull=True)
    Notification.objects.filter(alert__in=alerts, read_at__isnull=True).update(read_at=now)
    alerts.update(withdrawn_at=now, withdrawn_reason=PASSED_REASONS.get(kind, ""), repeat_due_at=None)
    return len(open_ones)


def escalate_rectifications(filing: Filing, kinds: list[str]) -> int:
    """Bring the open alerts of these periods to the managers' inboxes. Return how many alerts."""
    alerts = list(
        Alert.objects.filter(
            filing=filing, kind__in=kinds, deadline__closed_at__isnull=True, withdrawn_at__isnull=True
        )
    )
    if not alerts:
        return 0
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(escalated=True)
    for alert in alerts:
        alert.escalated = True
    with transaction.atomic():
        alert_raising.notify_recipients(alerts, managers=alert_raising.manager_ids())
    return len(alerts)
