"""Alerts in a user's inbox: taking charge of one and marking them read."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from filings.models import Alert, Notification


def acknowledge_alert(alert: Alert, *, by: Any) -> Alert:
    """Record that someone took charge of an alert (the first acknowledgement stands) and mark it
    read in their inbox."""
    now = timezone.now()
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is None:
            locked.acknowledged_by, locked.acknowledged_at = by, now
            locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        Notification.objects.filter(alert=locked, user=by, read_at__isnull=True).update(read_at=now)
    return locked


def mark_alerts_read(*, by: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's inbox rows read (all unread ones when no ids are given); return how many."""
    unread = Notification.objects.filter(user=by, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
