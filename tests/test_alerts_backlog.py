"""The alert scan with a backlog: keyset batches, each alert raised once, an interrupted scan resumed,
a database with no watermark caught up, and a query count that follows batches, not rows."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from filings.jobs import alert_scan, side_by_side
from filings.kinds.states import State
from filings.models import Alert, AlertScan, Deadline, Filing, FilingEvent, Notification
from filings.rules import workdays
from filings.services import alert_raising, transitions
from filings.tasks import scan_deadlines_task
from tests import factories

SHANGHAI = workdays.SHANGHAI
START = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)
# A stale draft's deadline 30 days on is past its 7-, 15- and 30-day thresholds: only the 30-day one is raised.
STALE_THRESHOLDS = 1


def alert_keys() -> list[tuple[int, int, int]]:
    return list(Alert.objects.values_list("deadline_id", "threshold_id", "occurrence"))


@pytest.mark.django_db
@pytest.mark.parametrize("spread", [False, True], ids=["one-due-time", "spread"])
def test_a_backlog_over_many_batches_raises_each_alert_once(settings, spread):
    settings.BEIAN_ALERT_SCAN_BATCH = 7
    rows = factories.stale_deadlines(range(10, 50), starts_at=START, spread=spread)
    expected = len(rows) * STALE_THRESHOLDS

    result = alert_scan.scan_deadlines(now=NOW)

    assert result.raised == expected and result.complete
    keys = alert_keys()
    assert len(keys) == len(set(keys)) == expected
    assert {deadline_id for deadline_id, _, _ in keys} == {d.pk for d in rows}
    assert Notification.objects.count() == expected
    assert AlertScan.objects.get().scanned_until == NOW
    # Rescanning, with the window or without any watermark, raises nothing again.
    assert alert_scan.scan_deadlines(now=NOW + timedelta(minutes=1)).raised == 0
    AlertScan.objects.all().delete()
    assert alert_scan.scan_deadlines(now=NOW + timedelta(minutes=2)).raised == 0
    assert Alert.objects.count() == expected


@pytest.mark.django_db
def test_a_scan_interrupted_midway_keeps_its_committed_batches_and_the_next_one_finishes(
    settings, monkeypatch
):
    settings.BEIAN_ALERT_SCAN_BATCH = 5
    rows = factories.stale_deadlines(range(10, 40), starts_at=START)
    expected = len(rows) * STALE_THRESHOLDS
    notify = alert_raising.notify_recipients
    calls = []

    def crash_on_third_batch(alerts, **kwargs):
        calls.append(len(alerts))
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        notify(alerts, **kwargs)

    monkeypatch.setattr(alert_raising, "notify_recipients", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        alert_scan.scan_deadlines(now=NOW)
    # Two batches committed; the third rolled back whole (no alert without its notifications).
    assert Alert.objects.count() == Notification.objects.count() == 2 * 5
    assert not AlertScan.objects.exists()

    monkeypatch.setattr(alert_raising, "notify_recipients", notify)
    result = alert_scan.scan_deadlines(now=NOW + timedelta(minutes=1))
    assert result.raised == expected - 10 and result.complete
    keys = alert_keys()
    assert len(keys) == len(set(keys)) == expected
    assert Notification.objects.count() == expected


@pytest.mark.django_db
def test_catch_up_of_a_database_with_no_watermark_raises_every_due_alert_once(settings):
    settings.BEIAN_ALERT_SCAN_BATCH = 4
    stale = factories.stale_deadlines(range(10, 23), starts_at=START, spread=True)
    # Deadlines of other kinds: one past every threshold, one not yet at any.
    late = factories.ready_filing()
    Filing.objects.filter(pk=late.pk).update(state=State.BUREAU_REVIEW, stage_visit=3)
    past = Deadline.objects.create(
        filing=late,
        stage=State.BUREAU_REVIEW,
        stage_visit=3,
        kind=Deadline.Kind.BUREAU_REVIEW,
        starts_at=START,
        due_at=NOW - timedelta(days=40),
    )
    future = Deadline.objects.create(
        filing=late,
        stage=State.BUREAU_REVIEW,
        stage_visit=4,
        kind=Deadline.Kind.BUREAU_REVIEW,
        starts_at=NOW,
        due_at=NOW + timedelta(days=60),
    )
    assert not AlertScan.objects.exists()

    result = alert_scan.catch_up(now=NOW)

    assert result.complete
    bureau = sorted(Alert.objects.filter(deadline=past).values_list("threshold__code", flat=True))
    assert bureau == ["breach"]
    assert not Alert.objects.filter(deadline=future).exists()
    assert Alert.objects.filter(deadline__in=stale).count() == len(stale) * STALE_THRESHOLDS
    assert result.raised == Alert.objects.count()
    assert alert_scan.catch_up(now=NOW).raised == 0


@pytest.mark.postgres  # SQLite's bulk inserts are split by its limit on parameters
@pytest.mark.django_db
def test_the_number_of_queries_follows_batches_not_due_deadlines(settings):
    settings.BEIAN_ALERT_SCAN_BATCH = 100
    filing = factories.ready_filing()
    factories.stale_deadlines(range(10, 15), starts_at=START, filing=filing)
    with CaptureQueriesContext(connection) as few:
        assert alert_scan.scan_deadlines(now=NOW).raised == 5 * STALE_THRESHOLDS
    Alert.objects.all().delete()
    AlertScan.objects.all().delete()
    factories.stale_deadlines(range(10, 70), starts_at=START, filing=filing)
    with CaptureQueriesContext(connection) as many:
        assert alert_scan.scan_deadlines(now=NOW).raised == 60 * STALE_THRESHOLDS
    assert len(many) == len(few)


@pytest.mark.django_db
def test_passed_sms_windows_expire_across_batches(monkeypatch, principal, reviewer):
    monkeypatch.setattr(alert_scan, "SMS_EXPIRY_BATCH", 2)
    filings = []
    for _ in range(5):
        filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
        filings.append(transitions.pass_review(filing, by=reviewer))
    latest = Deadline.objects.filter(kind=Deadline.Kind.SMS_WINDOW, closed_at__isnull=True).latest("due_at")

    result = alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=1))

    assert result.expired == 5
    assert set(Filing.objects.filter(pk__in=[f.pk for f in filings]).values_list("state", flat=True)) == {
        State.ENTRY
    }
    timeouts = Alert.objects.filter(kind=Deadline.Kind.SMS_WINDOW, threshold__code="expired")
    assert sorted(timeouts.values_list("filing_id", flat=True)) == sorted(f.pk for f in filings)
    assert alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=2)).expired == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_scan_task_returns_at_once_while_another_workers_scan_runs():
    factories.stale_deadlines(range(10, 15), starts_at=START)
    holding, release = threading.Event(), threading.Event()

    def another_worker_scanning():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [alert_scan.SCAN_LOCK_KEY])
                holding.set()
                release.wait(timeout=30)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [alert_scan.SCAN_LOCK_KEY])
        finally:
            connections["default"].close()

    worker = threading.Thread(target=another_worker_scanning)
    worker.start()
    assert holding.wait(timeout=10)
    try:
        assert scan_deadlines_task(now=NOW.isoformat())["skipped"]
        assert not Alert.objects.exists()
    finally:
        release.set()
        worker.join(timeout=10)
    assert scan_deadlines_task(now=NOW.isoformat())["raised"] == 5 * STALE_THRESHOLDS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_filing_locked_elsewhere_keeps_its_sms_window_for_the_next_scan(monkeypatch, principal, reviewer):
    monkeypatch.setattr(alert_scan, "SMS_EXPIRY_BATCH", 3)
    filings = [
        transitions.pass_review(
            transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
        )
        for _ in range(4)
    ]
    held = filings[1]
    latest = Deadline.objects.filter(kind=Deadline.Kind.SMS_WINDOW, closed_at__isnull=True).latest("due_at")
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                # NO KEY UPDATE: held FOR UPDATE, the filing would also hold up the foreign-key check
                # of its alerts' insert until released (a moment, for a transition).
                list(Filing.objects.select_for_update(no_key=True).filter(pk=held.pk))
                locked.set()
                release.wait(timeout=30)
        finally:
            connections["default"].close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(timeout=10)
    try:
        first = alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=1))
    finally:
        release.set()
        holder.join(timeout=10)
    assert first.expired == 3
    states = dict(Filing.objects.filter(pk__in=[f.pk for f in filings]).values_list("pk", "state"))
    assert states[held.pk] == State.SMS_VERIFICATION
    assert sorted(pk for pk, state in states.items() if state == State.ENTRY) == sorted(
        f.pk for f in filings if f.pk != held.pk
    )
    second = alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=2))
    assert second.expired == 1
    assert Filing.objects.get(pk=held.pk).state == State.ENTRY
    assert Alert.objects.filter(kind=Deadline.Kind.SMS_WINDOW, threshold__code="expired").count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backlog_of_sms_windows_is_expired_side_by_side_each_window_once(monkeypatch, principal, reviewer):
    monkeypatch.setattr(alert_scan, "SMS_EXPIRY_BATCH", 2)
    filings = [
        transitions.pass_review(
            transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
        )
        for _ in range(9)
    ]
    latest = Deadline.objects.filter(kind=Deadline.Kind.SMS_WINDOW, closed_at__isnull=True).latest("due_at")
    writers = set()

    def note_writer(execute, sql, params, many, context):
        if sql.startswith('UPDATE "filings_filing"'):
            writers.add(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_writer):
        result = alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=1))

    assert result.expired == 9 and len(writers) == alert_scan.SMS_EXPIRY_WORKERS == 2
    ids = [f.pk for f in filings]
    assert set(Filing.objects.filter(pk__in=ids).values_list("state", flat=True)) == {State.ENTRY}
    expiries = FilingEvent.objects.filter(filing__in=ids, transition="expire_sms")
    assert sorted(expiries.values_list("filing_id", flat=True)) == sorted(ids)
    timeouts = Alert.objects.filter(kind=Deadline.Kind.SMS_WINDOW, threshold__code="expired")
    assert sorted(timeouts.values_list("filing_id", flat=True)) == sorted(ids)
    assert sorted(result.alert_ids) == sorted(timeouts.values_list("pk", flat=True))
    # Each filing was locked by a transaction of one batch: the rows one transaction wrote share its xmin.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM filings_filing WHERE id = ANY(%s) GROUP BY xmin::text", [ids])
        per_transaction = sorted(count for (count,) in cursor.fetchall())
    assert sum(per_transaction) == 9 and max(per_transaction) <= 2
    assert alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=2)).expired == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_that_fails_beside_another_stops_the_expiry_and_its_error_reaches_the_scan(
    monkeypatch, principal, reviewer
):
    monkeypatch.setattr(alert_scan, "SMS_EXPIRY_BATCH", 2)
    for _ in range(6):
        transitions.pass_review(
            transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
        )
    latest = Deadline.objects.filter(kind=Deadline.Kind.SMS_WINDOW, closed_at__isnull=True).latest("due_at")
    real = alert_scan.sms_expiry.expire_sms_windows

    def failing_on_the_second(windows, *, now):
        if windows[0].pk == second_batch_first:
            raise RuntimeError("the server went away")
        return real(windows, now=now)

    open_windows = Deadline.objects.filter(kind=Deadline.Kind.SMS_WINDOW, closed_at__isnull=True)
    second_batch_first = list(open_windows.order_by("due_at", "id").values_list("pk", flat=True))[2]
    monkeypatch.setattr(alert_scan.sms_expiry, "expire_sms_windows", failing_on_the_second)

    with pytest.raises(RuntimeError, match="went away"):
        alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=1))

    # The failed batch wrote nothing and the scan recorded no watermark; the next scan finishes.
    assert (
        FilingEvent.objects.filter(filing__deadlines__pk=second_batch_first, transition="expire_sms").count()
        == 0
    )
    assert not AlertScan.objects.exists()
    monkeypatch.setattr(alert_scan.sms_expiry, "expire_sms_windows", real)
    alert_scan.scan_deadlines(now=latest.due_at + timedelta(minutes=2))
    assert not open_windows.filter(due_at__lte=latest.due_at).exists()
    assert FilingEvent.objects.filter(transition="expire_sms").count() == 6


@pytest.mark.parametrize(
    ("options", "room"),
    [
        ({}, None),
        ({"pool": True}, 3),
        ({"pool": {"min_size": 1, "max_size": 2}}, 1),
        ({"pool": {"min_size": 6}}, 5),
    ],
)
def test_a_backlog_starts_no_more_workers_than_a_connection_pool_has_room_for(options, room):
    assert side_by_side.room_beside_one_connection(options) == room
