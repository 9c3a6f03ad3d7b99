"""The alert scan (a scheduled job): raise the alerts of stored deadlines that reached a threshold
in its window, expire SMS windows and face checks, and repeat breaches."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from itertools import chain

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from config.databases import PRIMARY, replica_alias
from filings.jobs import side_by_side
from filings.models import Alert, AlertScan, AlertThreshold, Deadline
from filings.reads import dashboard
from filings.rules import due_deadlines
from filings.services import alert_raising, authenticity, sms_expiry
from filings.services.alert_raising import ANALYZE_AFTER_ALERTS, ScanResult

Kind = Deadline.Kind

# How far before the last completed scan a scan looks again: covers clocks that differ a little
# between machines and rows committed by transactions that started before that scan.
SCAN_LOOKBACK = timedelta(hours=1)
SMS_TIMEOUT_THRESHOLD = alert_raising.SMS_TIMEOUT_THRESHOLD
# Filings expired together in one transaction (and so locked together while it lasts).
SMS_EXPIRY_BATCH = 50
# Connections expiring a backlog's batches side by side: a batch's Python and the server's work on
# its statements take turns on one connection, so two keep both of a 2-core machine's cores busy.
SMS_EXPIRY_WORKERS = 2


def _watermark() -> datetime | None:
    return AlertScan.objects.aggregate(until=Max("scanned_until"))["until"]


def _raise_repeats(
    *, now: datetime, managers: list[int], result: ScanResult, thresholds: dict[int, AlertThreshold]
) -> None:
    """Repeat breaches still open (daily by default); one repeat per scan however long the gap."""
    size = due_deadlines.batch_size()
    while True:
        with transaction.atomic():
            # Each batch leaves the index of due repeats (repeat_due_at is cleared), so the next
            # one starts where this one ended. Ordered as that index is, so that with a LIMIT it is
            # read from its start whatever the statistics guess of how many are due.
            batch = list(
                Alert.objects.select_for_update(skip_locked=True)
                .filter(repeat_due_at__lte=now)
                .order_by("repeat_due_at")
                .only("filing_id", "deadline_id", "threshold_id", "occurrence", "due_at", "withdrawn_at")[
                    :size
                ]
            )
            if not batch:
                return
            # Their deadlines by primary key, apart: one table a query, so no join order to get wrong.
            deadlines = Deadline.objects.in_bulk({a.deadline_id for a in batch})
            repeats = []
            for previous in batch:
                threshold, deadline = thresholds[previous.threshold_id], deadlines[previous.deadline_id]
                if (
                    previous.withdrawn_at is None
                    and deadline.closed_at is None
                    and threshold.active
                    and threshold.repeat_every
                ):
                    first = previous.due_at - threshold.repeat_every * previous.occurrence
                    occurrence = int((now - first) / threshold.repeat_every)
                    if occurrence > previous.occurrence:
                        repeat = alert_raising.new_alert(
                            deadline, threshold, now=now, moment=first, occurrence=occurrence
                        )
                        repeat.due_at = first + threshold.repeat_every * occurrence
                        repeats.append(repeat)
            Alert.objects.filter(pk__in=[previous.pk for previous in batch]).update(repeat_due_at=None)
            created = alert_raising.insert_alerts(repeats)
            alert_raising.notify_recipients(created, managers=managers)
        result.repeated += len(created)
        result.alert_ids.extend(a.pk for a in created)
        if len(batch) < size:
            return


def expire_sms_windows(
    *,
    now: datetime,
    managers: list[int],
    result: ScanResult,
    thresholds: dict[int, AlertThreshold] | None = None,
) -> None:
    """Send every filing whose SMS window has passed back to entry, with its timeout alert.

    The passed windows are walked through the index of open deadlines by (kind, due_at, id), a
    few dozen at a time; each few dozen filings are locked, expired and alerted in one short
    transaction, so a backlog of thousands never keeps a filing locked for more than a moment.
    A filing locked elsewhere is left to the next scan (its window stays open and past due).
    A backlog (a first batch that is full) is expired by SMS_EXPIRY_WORKERS side by side, each
    batch by one of them."""
    if thresholds is None:
        thresholds = AlertThreshold.objects.in_bulk()
    threshold = next(
        (t for t in thresholds.values() if (t.deadline_kind, t.code) == SMS_TIMEOUT_THRESHOLD and t.active),
        None,
    )
    batches = _passed_windows(now)
    first = next(batches, None)
    if first is None:
        return
    expire = partial(_expire_batch, now=now, threshold=threshold, managers=managers)
    batches = chain([first], batches)
    workers = side_by_side.workers_for(SMS_EXPIRY_WORKERS) if len(first) == SMS_EXPIRY_BATCH else 0
    if workers > 1:
        outcomes = side_by_side.run_side_by_side(batches, expire, workers=workers)
    else:
        outcomes = map(expire, batches)
    for expired, created in outcomes:
        result.expired += expired
        result.raised += len(created)
        result.alert_ids.extend(a.pk for a in created)


def _passed_windows(now: datetime) -> Iterator[list[Deadline]]:
    """Yield the passed SMS windows open now in batches of SMS_EXPIRY_BATCH, by (due_at, id). Each
    batch starts after the key of the one before, so a window is in one batch only, whether or not
    the batches before it have been expired yet."""
    passed = Deadline.objects.filter(kind=Kind.SMS_WINDOW, closed_at__isnull=True, due_at__lte=now)
    after = None
    while True:
        windows = passed.filter(due_deadlines.after_key(after)) if after is not None else passed
        batch = list(windows.order_by("due_at", "id")[:SMS_EXPIRY_BATCH])
        if batch:
            yield batch
        if len(batch) < SMS_EXPIRY_BATCH:
            return
        after = (batch[-1].due_at, batch[-1].pk)


def _expire_batch(
    batch: list[Deadline], *, now: datetime, threshold: AlertThreshold | None, managers: list[int]
) -> tuple[int, list[Alert]]:
    """Expire a batch of windows and raise their timeout alerts in one transaction; return the
    number expired and the alerts raised."""
    with transaction.atomic():
        expired = sms_expiry.expire_sms_windows(batch, now=now)
        created = []
        if threshold is not None:
            created = alert_raising.insert_alerts(
                [
                    alert_raising.new_alert(window, threshold, now=now, moment=window.due_at)
                    for _filing, window in expired
                ]
            )
            people = {filing.pk: (filing.assignee_id, filing.reviewer_id) for filing, _window in expired}
            alert_raising.notify_recipients(created, managers=managers, people=people)
    return len(expired), created


def scan_deadlines(*, now: datetime | None = None, deadline_ids: list[int] | None = None) -> ScanResult:
    """Raise every alert whose threshold has been reached, expire SMS windows and repeat breaches.

    Safe to run in several workers at once and to rerun after a crash: rows are shared out with
    SKIP LOCKED and the unique constraint keeps each alert single. The window starts an hour
    before the last completed scan, so a scan after an outage catches up on everything that came
    due meanwhile (with no scan recorded, on everything due so far); `deadline_ids` limits the
    scan to those deadlines, with no window. Each threshold's due deadlines are walked in keyset
    batches of BEIAN_ALERT_SCAN_BATCH, each committed on its own, so the cost follows what is due
    and no lock is held for longer than one batch. A complete scan records itself (AlertScan) with
    the dashboard's deadline list totals as of `now`."""
    now = now or timezone.now()
    started = timezone.now()
    result = ScanResult()
    managers = alert_raising.manager_ids()
    lower = None
    if deadline_ids is None:
        watermark = _watermark()
        lower = None if watermark is None else min(watermark, now) - SCAN_LOOKBACK
    thresholds = AlertThreshold.objects.in_bulk()
    complete = alert_raising.raise_thresholds(
        alert_raising.raising_thresholds(thresholds),
        now=now,
        lower=lower,
        deadline_ids=deadline_ids,
        managers=managers,
        result=result,
        candidates_from=replica_alias() if deadline_ids is None else PRIMARY,
    )
    if deadline_ids is None:
        # The SMS timeout is a sibling of the window's warnings: a window that passed during an
        # outage raises the timeout alone.
        expire_sms_windows(now=now, managers=managers, result=result, thresholds=thresholds)
        result.expired += authenticity.expire_face_checks(now=now)
        _raise_repeats(now=now, managers=managers, result=result, thresholds=thresholds)
    result.complete = complete
    if result.total >= ANALYZE_AFTER_ALERTS:
        alert_raising.refresh_alert_statistics()
    if deadline_ids is None and complete:
        # Only a scan that left nothing behind moves the window on; otherwise the next one looks again.
        # Its row keeps the dashboard's deadline totals as of `now`, counted by the INSERT itself.
        AlertScan.objects.create(
            scanned_until=now,
            started_at=started,
            finished_at=timezone.now(),
            raised=result.total,
            expired=result.expired,
            **dashboard.scan_totals(now=now),
        )
    return result


# The PostgreSQL advisory lock held by the worker's scan (an arbitrary key of this application's).
SCAN_LOCK_KEY = 0x42656961  # "Beia"


def scan_unless_running(*, now: datetime | None = None) -> ScanResult | None:
    """Run a scan unless another worker is running one (then return None).

    The scheduler starts a scan every minute; one that clears a backlog takes minutes, and a
    second scan beside it would walk the same deadlines again for nothing on the same two cores.
    A session-level advisory lock lets the later ones return at once; it goes with the connection
    if the worker dies."""
    if connection.vendor != "postgresql":
        return scan_deadlines(now=now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCAN_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return None
        try:
            return scan_deadlines(now=now)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SCAN_LOCK_KEY])


def catch_up(*, now: datetime | None = None, rounds: int = 5) -> ScanResult:
    """Scan until a scan leaves nothing behind (a freshly seeded database, a worker back from an
    outage); return the sum of the scans. One scan already clears any backlog in bounded batches;
    further rounds only pick up rows another transaction held locked meanwhile."""
    total = ScanResult(complete=False)
    for _round in range(rounds):
        result = scan_deadlines(now=now)
        total.raised += result.raised
        total.repeated += result.repeated
        total.expired += result.expired
        total.alert_ids.extend(result.alert_ids)
        if result.complete:
            total.complete = True
            break
    return total
