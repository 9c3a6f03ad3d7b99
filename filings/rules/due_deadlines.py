"""Which stored deadlines have reached an alert threshold: the moment a threshold is reached, and
the due deadlines read a batch at a time through the index of one kind's open deadlines by (due_at,
id), with the thresholds each has already raised. services.alert_raising raises their alerts."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from config.databases import PRIMARY
from filings.models import Alert, AlertThreshold, Deadline
from filings.rules import workdays


def batch_size() -> int:
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


def after_key(key: tuple[datetime, int]) -> RawSQL:
    """Return the condition (due_at, id) > key: a row comparison, which PostgreSQL reads as one
    range of the (kind, due_at, id) index even where thousands of deadlines share a due time."""
    table = connection.ops.quote_name(Deadline._meta.db_table)
    due_at, pk = key
    params = (connection.ops.adapt_datetimefield_value(due_at), pk)
    return RawSQL(f"({table}.due_at, {table}.id) > (%s, %s)", params, output_field=BooleanField())


def open_deadlines(using: str = PRIMARY) -> QuerySet:
    """Return the open deadlines in the database `using`, each carrying `alerted` on PostgreSQL (see
    _alerted): what due_batch narrows, built once when many batches are read together."""
    rows = Deadline.objects.using(using).filter(closed_at__isnull=True)
    if connection.vendor == "postgresql":
        rows = rows.annotate(alerted=_alerted())
    return rows


def due_batch(
    threshold: AlertThreshold,
    *,
    lower: datetime | None,
    now: datetime,
    after: tuple[datetime, int] | None = None,
    deadline_ids: list[int] | None = None,
    rows: QuerySet | None = None,
    using: str = PRIMARY,
) -> QuerySet:
    """Return the open deadlines whose threshold moment lies in (lower, now], after the key `after`
    (due_at, id), nearest first: a range of the index of one kind's open deadlines by (due_at, id),
    so a batch costs what it returns. On PostgreSQL each row carries `alerted`, the thresholds
    whose first alert it has (see _alerted). `rows` is open_deadlines() when the caller has it;
    `using` the database read (the scheduled scan looks for candidates on the replica)."""
    rows = (open_deadlines(using) if rows is None else rows).filter(kind=threshold.deadline_kind)
    rows = rows.filter(_due_range(threshold, lower, now))
    if after is not None:
        rows = rows.filter(after_key(after))
    if deadline_ids is not None:
        rows = rows.filter(pk__in=deadline_ids)
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


def batch_fields() -> tuple[str, ...]:
    return ("due_at", "pk", "alerted") if connection.vendor == "postgresql" else ("due_at", "pk")


def first_batches(
    thresholds: list[AlertThreshold],
    *,
    now: datetime,
    lower: datetime | None,
    deadline_ids: list[int] | None,
    using: str = PRIMARY,
) -> dict[int, list[tuple]] | None:
    """Return each threshold's first batch of due deadlines (as raise_threshold reads them), read in
    one statement: a UNION ALL of the thresholds' own index ranges, each planned as it is alone.

    A minute's scan finds a handful of due deadlines over a few dozen thresholds; a round trip per
    threshold was most of its time. None where the database cannot order and limit each branch."""
    if not thresholds or not connection.features.supports_slicing_ordering_in_compound:
        return None
    size, rows = batch_size(), open_deadlines(using)
    branches = [
        due_batch(threshold, lower=lower, now=now, deadline_ids=deadline_ids, rows=rows)
        .annotate(threshold_key=Value(threshold.pk))
        .values_list("threshold_key", *batch_fields())[:size]
        for threshold in thresholds
    ]
    batches: dict[int, list[tuple]] = {threshold.pk: [] for threshold in thresholds}
    for key, *row in branches[0].union(*branches[1:], all=True):
        batches[key].append(tuple(row))
    for rows in batches.values():
        rows.sort(key=lambda row: row[:2])
    return batches
