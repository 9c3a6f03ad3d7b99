"""The alert scan: find stored deadlines that reached a threshold, raise each alert once, expire SMS
windows and repeat breaches; reconcile alerts after deadlines moved."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, Max, OuterRef, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_noop

from filings import alert_rows, workdays
from filings.models import Alert, AlertScan, AlertThreshold, Deadline, Notification
from filings.services import authenticity, sms_expiry

Kind = Deadline.Kind

# How far before the last completed scan a scan looks again: covers clocks that differ a little
# between machines and rows committed by transactions that started before that scan.
SCAN_LOOKBACK = timedelta(hours=1)
# A burst of new alerts (a backlog after an outage, a holiday's worth of deadlines) leaves
# PostgreSQL's row estimates for the alert table far behind until autovacuum next analyzes it. The
# scan's own queries do not depend on them (see _alerted); the inbox and the lists of alerts do, so
# a scan that raised this many (a usual minute raises a handful) refreshes them.
ANALYZE_AFTER_ALERTS = 1000

SMS_TIMEOUT_THRESHOLD = ("sms_window", "expired")
# Filings expired together in one transaction (and so locked together while it lasts).
SMS_EXPIRY_BATCH = 50


@dataclass
class ScanResult:
    raised: int = 0
    repeated: int = 0
    expired: int = 0
    # The new alerts (their notifications are sent after commit); left out of the repr, which logs print.
    alert_ids: list[int] = field(default_factory=list, repr=False)
    # False when rows were left to a concurrent transaction; the window then does not move on.
    complete: bool = True

    @property
    def total(self) -> int:
        return self.raised + self.repeated


def _batch_size() -> int:
    return settings.BEIAN_ALERT_SCAN_BATCH


def threshold_moment(threshold: AlertThreshold, due_at: datetime) -> datetime:
    """Return when a deadline due at `due_at` reaches the threshold.

    A working-day threshold is reached at 00:00 Asia/Shanghai on the first day from which only N
    working days remain before the deadline's day."""
    if threshold.workdays_before is None:
        return due_at + threshold.offset
    day = due_at.astimezone(workdays.SHANGHAI).date()
    counted = 0
    while True:
        if workdays.is_workday(day):
            counted += 1
            if counted > threshold.workdays_before:
                break
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=workdays.SHANGHAI)


def _day_start(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=workdays.SHANGHAI)


def _due_range(threshold: AlertThreshold, lower: datetime | None, now: datetime) -> Q:
    """Return the condition on due_at for deadlines whose threshold moment lies in (lower, now]."""
    if threshold.workdays_before is None:
        condition = Q(due_at__lte=now - threshold.offset)
        if lower is not None:
            condition &= Q(due_at__gt=lower - threshold.offset)
        return condition
    # moment <= t  <=>  the deadline's day comes before the (N+1)th working day after t's day.
    steps = threshold.workdays_before + 1
    local_now = now.astimezone(workdays.SHANGHAI).date()
    condition = Q(due_at__lt=_day_start(workdays.add_workdays(local_now, steps)))
    if lower is not None:
        local_lower = lower.astimezone(workdays.SHANGHAI).date()
        condition &= Q(due_at__gte=_day_start(workdays.add_workdays(local_lower, steps)))
    return condition


def _watermark() -> datetime | None:
    return AlertScan.objects.aggregate(until=Max("scanned_until"))["until"]


def _after_key(key: tuple[datetime, int]) -> RawSQL:
    """Return the condition (due_at, id) > key: a row comparison, which PostgreSQL reads as one
    range of the (kind, due_at, id) index even where thousands of deadlines share a due time."""
    table = connection.ops.quote_name(Deadline._meta.db_table)
    due_at, pk = key
    params = (connection.ops.adapt_datetimefield_value(due_at), pk)
    return RawSQL(f"({table}.due_at, {table}.id) > (%s, %s)", params, output_field=BooleanField())


def due_batch(
    threshold: AlertThreshold,
    *,
    lower: datetime | None,
    now: datetime,
    after: tuple[datetime, int] | None = None,
    deadline_ids: list[int] | None = None,
) -> QuerySet:
    """Return the open deadlines whose threshold moment lies in (lower, now], after the key `after`
    (due_at, id), nearest first: a range of the index of one kind's open deadlines by (due_at, id),
    so a batch costs what it returns. On PostgreSQL each row carries `alerted`, the thresholds
    whose first alert it has (see _alerted)."""
    rows = Deadline.objects.filter(closed_at__isnull=True, kind=threshold.deadline_kind).filter(
        _due_range(threshold, lower, now)
    )
    if after is not None:
        rows = rows.filter(_after_key(after))
    if deadline_ids is not None:
        rows = rows.filter(pk__in=deadline_ids)
    if connection.vendor == "postgresql":
        rows = rows.annotate(alerted=_alerted())
    return rows.order_by("due_at", "id")


def _alerted() -> ArraySubquery:
    """The thresholds whose first alert the deadline has: ARRAY(SELECT CASE WHEN occurrence = 0
    AND withdrawn_at IS NULL THEN threshold_id END FROM alert WHERE deadline_id = deadline.id),
    run once per row of a batch.

    Planned alike whatever the alert table's statistics say (stale exactly when it matters: after
    a burst of alerts, or ANALYZEd while empty). An ARRAY subquery is never made a join or a hashed
    subplan, as an anti-join or an EXISTS may be: PostgreSQL once turned the scan's anti-join into
    a nested loop over every alert for every deadline, and an EXISTS into a hash of all the
    threshold's alerts per batch. Its only condition is the deadline, so the deadline's index is
    the one index it can use (with a condition on the occurrence too, the planner, believing the
    table empty, scanned the whole unique index once per row), against a sequential scan per row
    that no estimate makes cheaper. The insert's ON CONFLICT still decides races."""
    first_alert = Case(When(occurrence=0, withdrawn_at__isnull=True, then=F("threshold_id")))
    return ArraySubquery(
        Alert.objects.filter(deadline_id=OuterRef("pk")).order_by().values(first=first_alert)
    )


def superseded(
    threshold: AlertThreshold, *, siblings: list[AlertThreshold], due_at: datetime, now: datetime
) -> bool:
    """Return whether a more urgent threshold of the same deadline has been reached by `now` too.

    A scan after an outage, or the first scan of a filing imported late, finds a deadline past
    several of its thresholds at once; it raises only the most urgent one, not a notice, a warning
    and a breach together."""
    moment = threshold_moment(threshold, due_at)
    return any(moment < threshold_moment(other, due_at) <= now for other in siblings)


def _raise_threshold(
    threshold: AlertThreshold,
    *,
    siblings: list[AlertThreshold],
    now: datetime,
    lower: datetime | None,
    deadline_ids: list[int] | None,
    managers: list[int],
    result: ScanResult,
) -> bool:
    """Raise the threshold's alerts, a committed batch at a time; return False when some were left
    because another transaction held their deadlines locked."""
    size = _batch_size()
    after = None
    complete = True
    fields = ("due_at", "pk", "alerted") if connection.vendor == "postgresql" else ("due_at", "pk")
    while True:
        # Read without locks: the window reaches back an hour, so most rows are alerted already.
        batch = list(
            due_batch(threshold, lower=lower, now=now, after=after, deadline_ids=deadline_ids).values_list(
                *fields
            )[:size]
        )
        if not batch:
            return complete
        after = batch[-1][:2]
        wanted = [
            row[1]
            for row in batch
            if (len(row) < 3 or threshold.pk not in row[2])
            and not superseded(threshold, siblings=siblings, due_at=row[0], now=now)
        ]
        if wanted:
            complete &= _raise_batch(
                threshold, wanted, siblings=siblings, now=now, managers=managers, result=result
            )
        if len(batch) < size:
            return complete


def _raise_batch(
    threshold: AlertThreshold,
    deadline_ids: list[int],
    *,
    siblings: list[AlertThreshold],
    now: datetime,
    managers: list[int],
    result: ScanResult,
) -> bool:
    """Lock these deadlines (skipping any held elsewhere), raise their alerts and notify, in one
    short transaction; return False when some were skipped."""
    with transaction.atomic():
        # By primary key, one table: a plan no statistics can change.
        locked = list(
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(pk__in=deadline_ids, closed_at__isnull=True)
            .order_by()
        )
        alerts = []
        for deadline in locked:
            moment = threshold_moment(threshold, deadline.due_at)
            # The index range is exact; this only guards against a deadline moved meanwhile.
            if moment <= now and not superseded(
                threshold, siblings=siblings, due_at=deadline.due_at, now=now
            ):
                alerts.append(alert_rows.new_alert(deadline, threshold, now=now, moment=moment))
        created = alert_rows.insert_alerts(alerts)
        alert_rows.notify(created, managers=managers)
    result.raised += len(created)
    result.alert_ids.extend(a.pk for a in created)
    # A deadline closed meanwhile needs nothing; one locked elsewhere is looked at by the next scan.
    return (
        len(locked) == len(deadline_ids)
        or not Deadline.objects.filter(
            pk__in=set(deadline_ids) - {d.pk for d in locked}, closed_at__isnull=True
        ).exists()
    )


def _raise_repeats(*, now: datetime, managers: list[int], result: ScanResult) -> None:
    """Repeat breaches still open (daily by default); one repeat per scan however long the gap."""
    thresholds = AlertThreshold.objects.in_bulk()
    size = _batch_size()
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
                        repeat = alert_rows.new_alert(
                            deadline, threshold, now=now, moment=first, occurrence=occurrence
                        )
                        repeat.due_at = first + threshold.repeat_every * occurrence
                        repeats.append(repeat)
            Alert.objects.filter(pk__in=[previous.pk for previous in batch]).update(repeat_due_at=None)
            created = alert_rows.insert_alerts(repeats)
            alert_rows.notify(created, managers=managers)
        result.repeated += len(created)
        result.alert_ids.extend(a.pk for a in created)
        if len(batch) < size:
            return


def expire_sms_windows(*, now: datetime, managers: list[int], result: ScanResult) -> None:
    """Send every filing whose SMS window has passed back to entry, with its timeout alert.

    The passed windows are walked through the index of open deadlines by (kind, due_at, id), a
    few dozen at a time; each few dozen filings are locked, expired and alerted in one short
    transaction, so a backlog of thousands never keeps a filing locked for more than a moment.
    A filing locked elsewhere is left to the next scan (its window stays open and past due)."""
    threshold = AlertThreshold.objects.filter(
        deadline_kind=SMS_TIMEOUT_THRESHOLD[0], code=SMS_TIMEOUT_THRESHOLD[1], active=True
    ).first()
    passed = Deadline.objects.filter(kind=Kind.SMS_WINDOW, closed_at__isnull=True, due_at__lte=now)
    after = None
    while True:
        windows = passed.filter(_after_key(after)) if after is not None else passed
        batch = list(windows.order_by("due_at", "id")[:SMS_EXPIRY_BATCH])
        if not batch:
            return
        after = (batch[-1].due_at, batch[-1].pk)
        with transaction.atomic():
            expired = sms_expiry.expire_sms_windows(batch, now=now)
            created = []
            if threshold is not None:
                created = alert_rows.insert_alerts(
                    [
                        alert_rows.new_alert(window, threshold, now=now, moment=window.due_at)
                        for _filing, window in expired
                    ]
                )
                people = {filing.pk: (filing.assignee_id, filing.reviewer_id) for filing, _window in expired}
                alert_rows.notify(created, managers=managers, people=people)
        result.expired += len(expired)
        result.raised += len(created)
        result.alert_ids.extend(a.pk for a in created)
        if len(batch) < SMS_EXPIRY_BATCH:
            return


def scan_deadlines(*, now: datetime | None = None, deadline_ids: list[int] | None = None) -> ScanResult:
    """Raise every alert whose threshold has been reached, expire SMS windows and repeat breaches.

    Safe to run in several workers at once and to rerun after a crash: rows are shared out with
    SKIP LOCKED and the unique constraint keeps each alert single. The window starts an hour
    before the last completed scan, so a scan after an outage catches up on everything that came
    due meanwhile (with no scan recorded, on everything due so far); `deadline_ids` limits the
    scan to those deadlines, with no window. Each threshold's due deadlines are walked in keyset
    batches of BEIAN_ALERT_SCAN_BATCH, each committed on its own, so the cost follows what is due
    and no lock is held for longer than one batch."""
    now = now or timezone.now()
    started = timezone.now()
    result = ScanResult()
    managers = alert_rows.managers_to_escalate_to()
    lower = None
    if deadline_ids is None:
        watermark = _watermark()
        lower = None if watermark is None else min(watermark, now) - SCAN_LOOKBACK
    active = list(AlertThreshold.objects.filter(active=True))
    complete = True
    for threshold in active:
        if (threshold.deadline_kind, threshold.code) == SMS_TIMEOUT_THRESHOLD:
            continue
        siblings = [t for t in active if t.deadline_kind == threshold.deadline_kind and t.pk != threshold.pk]
        complete &= _raise_threshold(
            threshold,
            siblings=siblings,
            now=now,
            lower=lower,
            deadline_ids=deadline_ids,
            managers=managers,
            result=result,
        )
    if deadline_ids is None:
        # The SMS timeout is a sibling of the window's warnings: a window that passed during an
        # outage raises the timeout alone.
        expire_sms_windows(now=now, managers=managers, result=result)
        result.expired += authenticity.expire_face_checks(now=now)
        _raise_repeats(now=now, managers=managers, result=result)
    result.complete = complete
    if result.total >= ANALYZE_AFTER_ALERTS:
        _refresh_alert_statistics()
    if deadline_ids is None and complete:
        # Only a scan that left nothing behind moves the window on; otherwise the next one looks again.
        AlertScan.objects.create(
            scanned_until=now,
            started_at=started,
            finished_at=timezone.now(),
            raised=result.total,
            expired=result.expired,
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


def _refresh_alert_statistics() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Alert._meta.db_table)}")


def reconcile_alerts(deadline_ids: list[int], *, now: datetime, reason: str | None = None) -> tuple[int, int]:
    """After deadlines moved (a calendar was entered, a draft was edited), withdraw alerts they no
    longer reach and raise the ones they now do. Return (withdrawn, raised). The reason is a
    catalogue source (gettext_noop), stored as it is and translated when shown."""
    reason = reason or gettext_noop("截止时间已按官方日历重新计算,该提醒不再适用。")
    withdrawn = 0
    with transaction.atomic():
        alerts = list(
            Alert.objects.select_for_update(of=("self",))
            .select_related("deadline", "threshold")
            .filter(deadline_id__in=deadline_ids, withdrawn_at__isnull=True)
        )
        for alert in alerts:
            threshold, deadline = alert.threshold, alert.deadline
            moment = threshold_moment(threshold, deadline.due_at)
            if threshold.repeat_every:
                moment += threshold.repeat_every * alert.occurrence
            if moment > now:
                alert.withdrawn_at = now
                alert.withdrawn_reason = str(reason)
                alert.repeat_due_at = None
                alert.save(update_fields=["withdrawn_at", "withdrawn_reason", "repeat_due_at"])
                unread = Notification.objects.filter(alert=alert, read_at__isnull=True)
                unread.update(read_at=now)
                withdrawn += 1
            elif alert.repeat_due_at is not None:
                alert.repeat_due_at = moment + threshold.repeat_every
                alert.save(update_fields=["repeat_due_at"])
        raised = scan_deadlines(now=now, deadline_ids=deadline_ids).raised
    return withdrawn, raised
