"""The inbox rows shown on the principal's pages: unread counts per filing, and a filing's alerts and
the decisions on it (returns, rejections, approvals) with where to act."""

from typing import Any

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce

from filings.views import display

try:
    from filings.models import Alert, Notification
except ImportError:  # Alerts are an optional part of the app; the pages work without them.
    Alert = Notification = None

DECISIONS_SHOWN = 5


def unread_alert_counts(user: Any, filing_ids: list[int]) -> dict[int, int] | None:
    """Return {filing id: unread rows in the user's inbox}, or None when there are no alerts."""
    if Notification is None:
        return None
    if not filing_ids:
        return {}
    rows = (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .filter(Q(alert__filing_id__in=filing_ids) | Q(event__filing_id__in=filing_ids))
        .values(filing_id=Coalesce("alert__filing_id", "event__filing_id"))
        .annotate(n=Count("id"))
    )
    return {row["filing_id"]: row["n"] for row in rows}


def _title(alert: Any) -> str:
    try:
        return alert.title
    except (ImportError, AttributeError):
        return f"{alert.get_severity_display()} · {alert.get_kind_display()} · {alert.threshold.name}"


def filing_alerts(user: Any, filing: Any) -> list[dict] | None:
    """Return the latest decisions sent to the user on this filing and its current alerts, newest
    first, each with whether the user has read it and (for decisions) where to act."""
    if Alert is None:
        return None
    alerts = list(
        Alert.objects.filter(filing=filing, withdrawn_at__isnull=True)
        .select_related("threshold")
        .prefetch_related(
            Prefetch("notifications", queryset=Notification.objects.filter(user=user), to_attr="mine")
        )[:50]
    )
    for alert in alerts:
        alert.filing = filing  # the page's own, subject and province already loaded
    rows = [
        {
            "tone": alert.severity,
            "badge": alert.get_severity_display(),
            "title": _title(alert),
            "at": alert.raised_at,
            "unread": any(n.read_at is None for n in alert.mine),
            "url": "",
            "action": "",
        }
        for alert in alerts
    ]
    decisions = Notification.objects.filter(user=user, event__filing=filing).select_related("event")
    for notification in decisions.order_by("-created_at", "-id")[:DECISIONS_SHOWN]:
        notification.event.filing = filing
        shown = display.decision(notification.event)
        rows.append(
            {
                "tone": shown.tone,
                "badge": display.event_label(notification.event),
                "title": shown.title,
                "at": notification.created_at,
                "unread": notification.read_at is None,
                "url": shown.url,
                "action": shown.action,
            }
        )
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows
