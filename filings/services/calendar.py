"""The official calendar: publishing a year's holidays moves the provisional deadlines it covers."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from filings import alert_scan, deadlines
from filings.models import CalendarYear


def publish_calendar_year(*, year: int, notice: str = "", by: Any = None, now: datetime | None = None) -> int:
    """Mark a year's official calendar as entered, recompute the open provisional deadlines and
    reconcile their alerts. Return how many deadlines changed."""
    now = now or timezone.now()
    with transaction.atomic():
        CalendarYear.objects.update_or_create(year=year, defaults={"official": True, "notice": notice})
        changed = deadlines.recompute_provisional_deadlines()
        if changed:
            alert_scan.reconcile_alerts(changed, now=now)
    return len(changed)
