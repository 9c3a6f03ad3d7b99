"""Raising deadline alerts: the thresholds a stored deadline has reached, each alert raised once
with its recipients' inbox rows, and the alerts of deadlines that moved reconciled. The scheduled
scan (alert_scan) walks these over its window; services call them for the deadlines they moved."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.databases import PRIMARY
from filings.models import Alert, AlertThreshold, Deadline, Filing, Notification
from filings.rules.due_deadlines import (
    batch_fields,
    batch_size,
    due_batch,
    first_batches,
    superseded,
    threshold_moment,
)
from filings.services import bulk_rows, notifications

Kind = Deadline.Kind

# A burst of new alerts (a backlog after an outage, a holiday's worth of deadlines) leaves
# PostgreSQL's row estimates for the alert table far behind until autovacuum next analyzes it. The
# scan's own queries do not depend on them (rules.due_deadlines); the inbox and lists of alerts do, so
# a scan that raised this many (a usual minute raises a handful) refreshes them.
ANALYZE_AFTER_ALERTS = 1000
# Reviewers act on these deadlines, so the filing's reviewer hears of them too.
REVIEWER_KINDS = {
    Kind.PREREVIEW_TARGET,
    Kind.PREREVIEW_OVERDUE,
    Kind.BUREAU_REVIEW,
    # After publication the provider must see that its sites are rectified in time (issue #25).
    Kind.FOOTER_FIX,
    Kind.SITE_UNREACHABLE,
    Kind.SITE_MOVED,
    Kind.DOMAIN_EXPIRY,
}
# The SMS window's expiry alert is raised by the expiry itself (alert_scan), not by its threshold.
SMS_TIMEOUT_THRESHOLD = ("sms_window", "expired")


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


def new_alert(
    deadline: Deadline, threshold: AlertThreshold, *, now: datetime, moment: datetime, occurrence: int = 0
) -> Alert:
    repeat_due_at = None
    if threshold.repeat_every:
        # A late first alert (after an outage) skips the repeats that are already past.
        missed = max(0, int((now - moment) / threshold.repeat_every))
        repeat_due_at = moment + threshold.repeat_every * (missed + 1)
    return Alert(
        filing_id=deadline.filing_id,
        deadline=deadline,
        threshold=threshold,
        stage=deadline.stage,
        stage_visit=deadline.stage_visit,
        kind=deadline.kind,
        occurrence=occurrence,
        severity=threshold.severity,
        escalated=threshold.escalate,
        due_at=moment,
        deadline_at=deadline.due_at,
        provisional=deadline.provisional,
        raised_at=now,
        repeat_due_at=repeat_due_at,
    )


# The columns a new alert is inserted with (the others start empty).
ALERT_COLUMNS = (
    "filing",
    "deadline",
    "threshold",
    "stage",
    "stage_visit",
    "kind",
    "occurrence",
    "severity",
    "escalated",
    "due_at",
    "deadline_at",
    "provisional",
    "raised_at",
    "repeat_due_at",
    "withdrawn_reason",
)


def insert_alerts(alerts: list[Alert]) -> list[Alert]:
    """Insert alerts, leaving out any another scanner committed meanwhile (the unique constraint decides)."""
    if not alerts:
        return []
    if connection.vendor == "postgresql":
        inserted = bulk_rows.insert_new(
            Alert,
            ALERT_COLUMNS,
            [
                (
                    a.filing_id,
                    a.deadline_id,
                    a.threshold_id,
                    a.stage,
                    a.stage_visit,
                    a.kind,
                    a.occurrence,
                    a.severity,
                    a.escalated,
                    a.due_at,
                    a.deadline_at,
                    a.provisional,
                    a.raised_at,
                    a.repeat_due_at,
                    "",
                )
                for a in alerts
            ],
            returning=("id", "deadline", "threshold", "occurrence"),
        )
        keys = {
            (deadline_id, threshold_id, occurrence): pk
            for pk, deadline_id, threshold_id, occurrence in inserted
        }
        created = []
        for alert in alerts:
            alert.pk = keys.get((alert.deadline_id, alert.threshold_id, alert.occurrence))
            if alert.pk is not None:
                alert._state.adding, alert._state.db = False, connection.alias
                created.append(alert)
        return created
    existing = set(
        Alert.objects.filter(
            deadline_id__in={a.deadline_id for a in alerts}, withdrawn_at__isnull=True
        ).values_list("deadline_id", "threshold_id", "occurrence")
    )
    alerts = [a for a in alerts if (a.deadline_id, a.threshold_id, a.occurrence) not in existing]
    try:
        with transaction.atomic():
            created = Alert.objects.bulk_create(alerts)
        return created
    except IntegrityError:
        pass
    created = []
    for alert in alerts:
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
        except IntegrityError:
            alert.pk = None
            continue
        created.append(alert)
    return created


def manager_ids() -> list[int]:
    """Return the active users who see the dashboard: through a group, a permission of their own, or
    as superusers. The groups that grant it are read first; then one statement of three branches,
    each read from its own index (the join of every user to their groups and permissions, filtered
    after, read all of them: ~60 ms at 18,000 users). Joined to the groups in the same statement,
    the planner expected thousands of members per group and hashed every user's memberships (9 ms
    of a minute's scan); given the groups' ids, it reads their few members from the index."""
    from django.contrib.auth.models import Group

    from accounts.models import User

    granting = list(Group.objects.filter(permissions__codename="view_dashboard").values_list("pk", flat=True))
    active = User.objects.filter(is_active=True).order_by().values_list("pk", flat=True)
    return sorted(
        set(
            active.filter(groups__in=granting).union(
                active.filter(user_permissions__codename="view_dashboard"), active.filter(is_superuser=True)
            )
        )
    )


def notify_recipients(
    alerts: list[Alert], *, managers: list[int], people: dict[int, tuple[int, int | None]] | None = None
) -> None:
    """Put each new alert in its recipients' inboxes; email and SMS follow after commit.

    `people` maps filing id to (assignee id, reviewer id) when the caller has read them already."""
    if not alerts:
        return
    if people is None:
        people = {
            pk: (assignee_id, reviewer_id)
            for pk, assignee_id, reviewer_id in Filing.objects.filter(pk__in={a.filing_id for a in alerts})
            .order_by()
            .values_list("pk", "assignee_id", "reviewer_id")
        }
    created_at = timezone.now()
    rows: dict[tuple[int, int], tuple] = {}
    for alert in alerts:
        assignee_id, reviewer_id = people[alert.filing_id]
        recipients = [(assignee_id, Notification.Reason.ASSIGNEE)]
        if alert.kind in REVIEWER_KINDS and reviewer_id is not None:
            recipients.append((reviewer_id, Notification.Reason.REVIEWER))
        if alert.escalated:
            recipients.extend((pk, Notification.Reason.MANAGER) for pk in managers)
        for user_id, reason in recipients:
            rows.setdefault((alert.pk, user_id), (alert.pk, user_id, str(reason), created_at))
    if connection.vendor == "postgresql":
        columns = ("alert", "user", "reason", "created_at")
        bulk_rows.insert_new(Notification, columns, list(rows.values()), returning=("id",))
    else:
        Notification.objects.bulk_create(
            [
                Notification(alert_id=alert_id, user_id=user_id, reason=reason, created_at=at)
                for alert_id, user_id, reason, at in rows.values()
            ],
            ignore_conflicts=True,
        )
    alert_ids = [a.pk for a in alerts]
    transaction.on_commit(lambda: notifications.queue_alert_delivery(alert_ids))


def raise_thresholds(
    raising: list[tuple[AlertThreshold, list[AlertThreshold]]],
    *,
    now: datetime,
    lower: datetime | None,
    deadline_ids: list[int] | None,
    managers: list[int],
    result: ScanResult,
    candidates_from: str = PRIMARY,
) -> bool:
    """Raise the alerts of every threshold in `raising` (raising_thresholds) reached in (lower, now];
    return False when some were left because another transaction held their deadlines locked.

    Every threshold's first batch is read in one statement (first_batches) and raised in one short
    transaction: a minute's scan finds a handful of due deadlines over a few thresholds, and a
    transaction per threshold (four statements and a commit) was most of its round trips. A
    threshold whose first batch was full goes on alone, a batch at a time. The candidates are read
    from `candidates_from` (see raise_threshold)."""
    first = first_batches(
        [threshold for threshold, _siblings in raising],
        now=now,
        lower=lower,
        deadline_ids=deadline_ids,
        using=candidates_from,
    )
    if first is None:
        complete = True
        going_on = [(threshold, siblings, None) for threshold, siblings in raising]
    else:
        complete = _raise_batch(
            [
                (threshold, siblings, _wanted(threshold, first[threshold.pk], siblings=siblings, now=now))
                for threshold, siblings in raising
            ],
            now=now,
            managers=managers,
            result=result,
        )
        size = batch_size()
        going_on = [
            (threshold, siblings, first[threshold.pk][-1][:2])
            for threshold, siblings in raising
            if len(first[threshold.pk]) == size
        ]
    for threshold, siblings, after in going_on:
        complete &= raise_threshold(
            threshold,
            siblings=siblings,
            now=now,
            lower=lower,
            deadline_ids=deadline_ids,
            managers=managers,
            result=result,
            after=after,
            candidates_from=candidates_from,
        )
    return complete


def raise_threshold(
    threshold: AlertThreshold,
    *,
    siblings: list[AlertThreshold],
    now: datetime,
    lower: datetime | None,
    deadline_ids: list[int] | None,
    managers: list[int],
    result: ScanResult,
    after: tuple[datetime, int] | None = None,
    candidates_from: str = PRIMARY,
) -> bool:
    """Raise the threshold's alerts, a committed batch at a time, from the key `after` (due_at, id)
    on; return False when some were left because another transaction held their deadlines locked.

    The candidates are read from `candidates_from` (the scheduled scan reads them on the replica):
    each is read again under its lock on the primary before its alert is written, and the scan's
    window reaches back an hour, far beyond a replica's lag."""
    size = batch_size()
    complete = True
    fields = batch_fields()
    while True:
        # Read without locks: the window reaches back an hour, so most rows are alerted already.
        batch = list(
            due_batch(
                threshold,
                lower=lower,
                now=now,
                after=after,
                deadline_ids=deadline_ids,
                using=candidates_from,
            ).values_list(*fields)[:size]
        )
        if not batch:
            return complete
        after = batch[-1][:2]
        wanted = _wanted(threshold, batch, siblings=siblings, now=now)
        if wanted:
            complete &= _raise_batch(
                [(threshold, siblings, wanted)], now=now, managers=managers, result=result
            )
        if len(batch) < size:
            return complete


def _wanted(
    threshold: AlertThreshold, batch: list[tuple], *, siblings: list[AlertThreshold], now: datetime
) -> list[int]:
    """Return the ids of the batch's deadlines (rows of due_batch's batch_fields) that have not
    raised the threshold's first alert yet and have reached no more urgent sibling."""
    return [
        row[1]
        for row in batch
        if (len(row) < 3 or threshold.pk not in row[2])
        and not superseded(threshold, siblings=siblings, due_at=row[0], now=now)
    ]


def _raise_batch(
    wanted: list[tuple[AlertThreshold, list[AlertThreshold], list[int]]],
    *,
    now: datetime,
    managers: list[int],
    result: ScanResult,
) -> bool:
    """Lock the deadlines wanted (threshold, its siblings, deadline ids), skipping any held elsewhere,
    raise their alerts and notify, in one short transaction; return False when some were skipped."""
    deadline_ids = {pk for _threshold, _siblings, ids in wanted for pk in ids}
    if not deadline_ids:
        return True
    with transaction.atomic():
        # By primary key, the filings' recipients read with them by theirs: a plan no statistics
        # can change.
        locked = {
            deadline.pk: deadline
            for deadline in Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=deadline_ids, closed_at__isnull=True)
            .annotate(filing_assignee=F("filing__assignee"), filing_reviewer=F("filing__reviewer"))
            .order_by()
        }
        alerts = []
        for threshold, siblings, ids in wanted:
            for pk in ids:
                deadline = locked.get(pk)
                if deadline is None:
                    continue
                moment = threshold_moment(threshold, deadline.due_at)
                # The index range is exact; this only guards against a deadline moved meanwhile.
                if moment <= now and not superseded(
                    threshold, siblings=siblings, due_at=deadline.due_at, now=now
                ):
                    alerts.append(new_alert(deadline, threshold, now=now, moment=moment))
        created = insert_alerts(alerts)
        people = {d.filing_id: (d.filing_assignee, d.filing_reviewer) for d in locked.values()}
        notify_recipients(created, managers=managers, people=people)
    result.raised += len(created)
    result.alert_ids.extend(a.pk for a in created)
    # A deadline closed meanwhile needs nothing; one locked elsewhere is looked at by the next scan.
    return (
        len(locked) == len(deadline_ids)
        or not Deadline.objects.filter(pk__in=deadline_ids - locked.keys(), closed_at__isnull=True).exists()
    )


def refresh_alert_statistics() -> None:
    """Analyze the alerts and their notifications after a burst: the pages that count a user's unread
    rows are planned from the notifications' statistics (never analyzed, a reviewer's 9,000 unread
    rows looked like one, and a list page read them all: 18 ms instead of 0.9)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Alert, Notification):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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
        raised = raise_alerts_for(deadline_ids, now=now).raised
    return withdrawn, raised


def raising_thresholds(
    thresholds: dict[int, AlertThreshold] | None = None,
) -> list[tuple[AlertThreshold, list[AlertThreshold]]]:
    """Return the thresholds whose alerts are raised when a deadline reaches them, each with the
    other active thresholds of its deadline kind (the SMS timeout among them: a window that passed
    during an outage raises the timeout alone). `thresholds` is every threshold by id when the
    caller has read them."""
    if thresholds is None:
        active = list(AlertThreshold.objects.filter(active=True))
    else:
        active = [t for t in thresholds.values() if t.active]
    return [
        (
            threshold,
            [t for t in active if t.deadline_kind == threshold.deadline_kind and t.pk != threshold.pk],
        )
        for threshold in active
        if (threshold.deadline_kind, threshold.code) != SMS_TIMEOUT_THRESHOLD
    ]


def raise_alerts_for(deadline_ids: list[int], *, now: datetime) -> ScanResult:
    """Raise every alert these deadlines have reached by `now`, whatever the scan's window (after
    they moved, or were checked out of turn)."""
    result = ScanResult()
    result.complete = raise_thresholds(
        raising_thresholds(),
        now=now,
        lower=None,
        deadline_ids=deadline_ids,
        managers=manager_ids(),
        result=result,
    )
    if result.total >= ANALYZE_AFTER_ALERTS:
        refresh_alert_statistics()
    return result
