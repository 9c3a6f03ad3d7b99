"""Concurrent scans on PostgreSQL: several scanners share the work and raise each alert exactly once."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections, transaction

from filings.jobs import alert_scan
from filings.models import Alert, AlertScan, Deadline, Notification
from filings.rules import workdays
from tests import factories

SHANGHAI = workdays.SHANGHAI
START = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)
VISITS = range(10, 310)  # 300 stale drafts' deadlines, each past its 7-, 15- and 30-day thresholds
# A deadline past several thresholds at once raises only the most urgent (the 30-day one).
PER_DEADLINE = 1


def _in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_scans_raise_each_alert_exactly_once(settings):
    settings.BEIAN_ALERT_SCAN_BATCH = 20  # many small batches, so the scanners interleave
    factories.stale_deadlines(VISITS, starts_at=START)
    results = _in_threads(4, lambda: alert_scan.scan_deadlines(now=NOW))
    expected = len(VISITS) * PER_DEADLINE
    assert Alert.objects.count() == expected
    keys = set(Alert.objects.values_list("stage_visit", "threshold_id", "occurrence"))
    assert len(keys) == expected
    # Every alert counted by exactly one scanner: nobody raised one another had raised.
    assert sum(r.raised for r in results) == expected
    assert sum(1 for r in results if r.raised) >= 2, "the scanners should have shared the work"
    assert Notification.objects.count() == expected
    # A further pair of scans finds nothing.
    again = _in_threads(2, lambda: alert_scan.scan_deadlines(now=NOW + timedelta(minutes=1)))
    assert sum(r.raised for r in again) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_locked_elsewhere_are_skipped_not_waited_for_and_raised_later():
    rows = factories.stale_deadlines(VISITS, starts_at=START)
    held = [d.pk for d in rows[:5]]
    locked, release = threading.Event(), threading.Event()

    def hold_locks():
        try:
            with transaction.atomic():
                list(Deadline.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(timeout=30)
        finally:
            connections["default"].close()

    holder = threading.Thread(target=hold_locks)
    holder.start()
    assert locked.wait(timeout=10)
    try:
        first = alert_scan.scan_deadlines(now=NOW)
    finally:
        release.set()
        holder.join(timeout=10)
    assert first.raised == (len(VISITS) - len(held)) * PER_DEADLINE
    assert not Alert.objects.filter(deadline_id__in=held).exists()
    # Rows were left behind, so the window did not move on: the next scan, well after, finds them.
    assert not first.complete and not AlertScan.objects.exists()
    second = alert_scan.scan_deadlines(now=NOW + timedelta(hours=5))
    assert second.raised == len(held) * PER_DEADLINE and second.complete
    assert Alert.objects.count() == len(VISITS) * PER_DEADLINE
