"""The official calendar: publishing a year's holidays moves the provisional deadlines it covers."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from filings.models import CalendarYear
from filings.rules import deadlines
from filings.services import alert_raising


def publish_calendar_year(*, year: int, notice: str = "", by: Any = None, now: datetime | None = None) -> int:
    """Mark a year's official calendar as entered, recompute the open provisional deadlines and
    reconcile their alerts. Return how many deadlines changed."""
    now = now or timezone.now()
    with transaction.atomic():
        CalendarYear.objects.update_or_create(year=year, defaults={"official": True, "notice": notice})
        changed = deadlines.recompute_provisional_deadlines()
        if changed:
            alert_raising.reconcile_alerts(changed, now=now)
    return len(changed)


def recompute_when_calendar_learned(*, now: datetime | None = None) -> int:
    """Recompute the open provisional deadlines once every year one of them touches has official
    data (an admin entered it, or an upgraded calendar package knows it), and reconcile their
    alerts. Return how many deadlines changed; cheap when nothing did."""
    if not deadlines.provisional_years_now_official():
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        changed = deadlines.recompute_provisional_deadlines()
        if changed:
            alert_raising.reconcile_alerts(changed, now=now)
    return len(changed)
