"""The deadline alerts shown on the principal's pages: unread counts per filing and a filing's alerts."""

from typing import Any

from django.db.models import Count, Prefetch

try:
    from filings.models import Alert, Notification
except ImportError:  # Alerts are an optional part of the app; the pages work without them.
    Alert = Notification = None


def unread_alert_counts(user: Any, filing_ids: list[int]) -> dict[int, int] | None:
    """Return {filing id: unread alerts in the user's inbox}, or None when there are no alerts."""
    if Notification is None:
        return None
    if not filing_ids:
        return {}
    rows = (
        Notification.objects.filter(user=user, read_at__isnull=True, alert__filing_id__in=filing_ids)
        .values("alert__filing_id")
        .annotate(n=Count("id"))
    )
    return {row["alert__filing_id"]: row["n"] for row in rows}


def _title(alert: Any) -> str:
    try:
        return alert.title
    except (ImportError, AttributeError):
        return f"{alert.get_severity_display()} · {alert.get_kind_display()} · {alert.threshold.label}"


def filing_alerts(user: Any, filing: Any) -> list[dict] | None:
    """Return the filing's current alerts, newest first, with whether the user has read each."""
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
    return [
        {
            "alert": alert,
            "title": _title(alert),
            "unread": any(n.read_at is None for n in alert.mine),
        }
        for alert in alerts
    ]
