"""Celery tasks: thin wrappers around the deadline scan and alert delivery (acks late, idempotent)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from filings import deadlines, notifications

logger = logging.getLogger(__name__)
# How long a notification may wait for its queued delivery before the scan sends it itself.
UNDELIVERED_GRACE = timedelta(minutes=2)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def scan_deadlines_task() -> dict:
    """Run one deadline scan; rerunning it (a retry, a second worker) raises nothing twice."""
    result = deadlines.scan_deadlines()
    # Notifications whose queued delivery was lost (broker down, worker killed) go out now.
    notifications.deliver_alert_notifications(created_before=timezone.now() - UNDELIVERED_GRACE)
    if result.total or result.expired:
        logger.info("Deadline scan: %s raised, %s repeated, %s SMS windows expired", *_counts(result))
    return {"raised": result.raised, "repeated": result.repeated, "expired": result.expired}


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_alert_notifications_task(alert_ids: list[int]) -> int:
    """Send the email and SMS of these alerts' notifications that are not yet delivered."""
    return notifications.deliver_alert_notifications(alert_ids=alert_ids)


def _counts(result: deadlines.ScanResult) -> tuple[int, int, int]:
    return result.raised, result.repeated, result.expired
