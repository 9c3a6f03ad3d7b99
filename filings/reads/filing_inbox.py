"""Reads: the filing page's alerts and decisions, as its reader's inbox holds them."""

from typing import Any

from django.db.models import Exists, OuterRef

from filings.models import Alert, Filing, FilingEvent, Notification
from filings.reads.selectors import ALERT_FIELDS

# What the filing page shows of an alert: its badge and title (alert.title names the threshold).
FILING_ALERT_FIELDS = (
    "filing",
    "severity",
    "kind",
    "occurrence",
    "raised_at",
    *(name for name in ALERT_FIELDS if name.startswith("threshold__")),
)


def filing_alerts(user: Any, filing: Filing) -> list[Alert]:
    """Return the current alerts of a filing read with its inbox (selectors.filing_detail(), or
    filing_page(with_inbox=True)), newest first, each with `unread` for this user."""
    if not filing.has_current_alerts:
        return []
    unread = Notification.objects.filter(alert=OuterRef("pk"), user=user, read_at__isnull=True)
    alerts = list(
        Alert.objects.filter(filing=filing, withdrawn_at__isnull=True)
        .select_related("threshold")
        .only(*FILING_ALERT_FIELDS)
        .annotate(unread=Exists(unread))[:50]
    )
    for alert in alerts:
        alert.filing = filing  # the page's own, subject and province already loaded
    return alerts


DECISIONS_SHOWN = 5


def filing_decisions(filing: Filing) -> list[FilingEvent]:
    """Return the latest decisions on a filing read with its inbox (as filing_alerts()) that were sent
    to the reading user's inbox, newest sent first: its events with `sent_at` and `sent_read_at`."""
    sent = [event for event in filing.events.all() if event.sent_id is not None]
    sent.sort(key=lambda event: (event.sent_at, event.sent_id), reverse=True)
    return sent[:DECISIONS_SHOWN]
