"""The alert scan: find stored deadlines that reached a threshold, raise each alert once, expire SMS
windows and repeat breaches; reconcile alerts after deadlines moved."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import notifications, workdays
from filings.exceptions import BeianError
from filings.models import Alert, AlertScan, AlertThreshold, Deadline, Filing, Notification
from filings.services import authenticity, transitions
from filings.states import State

Kind = Deadline.Kind

# How far before the last completed scan a scan looks again: covers clocks that differ a little
# between machines and rows committed by transactions that started before that scan.
SCAN_LOOKBACK = timedelta(hours=1)
# A burst of new alerts (a backlog after an outage, a holiday's worth of deadlines) leaves
# PostgreSQL's row estimates for the alert table far behind until autovacuum next analyzes it; the
# "no alert yet" anti-joins then compare every candidate with every alert of its threshold. A scan
# that raised this many (a usual minute raises a handful) refreshes them.
ANALYZE_AFTER_ALERTS = 1000

# Reviewers act on these deadlines, so the filing's reviewer hears of them too.
REVIEWER_KINDS = {Kind.PREREVIEW_TARGET, Kind.PREREVIEW_OVERDUE, Kind.BUREAU_REVIEW}
SMS_TIMEOUT_THRESHOLD = ("sms_window", "expired")


@dataclass
class ScanResult:
    raised: int = 0
    repeated: int = 0
    expired: int = 0
    alert_ids: list[int] = field(default_factory=list)
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


def _existing_alert(threshold: AlertThreshold, occurrence: int = 0) -> Exists:
    return Exists(
        Alert.objects.filter(
            filing_id=OuterRef("filing_id"),
            stage_visit=OuterRef("stage_visit"),
            kind=OuterRef("kind"),
            threshold=threshold,
            occurrence=occurrence,
            withdrawn_at__isnull=True,
        )
    )


def _new_alert(
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


def _insert_alerts(alerts: list[Alert]) -> list[Alert]:
    """Insert alerts, leaving out any another scanner committed meanwhile (the unique constraint decides)."""
    if not alerts:
        return []
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


def _managers() -> list[int]:
    from accounts.models import User

    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename="view_dashboard")
            | Q(user_permissions__codename="view_dashboard")
            | Q(is_superuser=True)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def _notify(
    alerts: list[Alert], *, managers: list[int], people: dict[int, tuple[int, int | None]] | None = None
) -> None:
    """Put each new alert in its recipients' inboxes; email and SMS follow after commit.

    `people` maps filing id to (assignee id, reviewer id) when the caller has read them already."""
    if not alerts:
        return
    if people is None:
        people = {
            pk: (assignee_id, reviewer_id)
            for pk, assignee_id, reviewer_id in Filing.objects.filter(
                pk__in={a.filing_id for a in alerts}
            ).values_list("pk", "assignee_id", "reviewer_id")
        }
    rows: dict[tuple[int, int], Notification] = {}
    for alert in alerts:
        assignee_id, reviewer_id = people[alert.filing_id]
        recipients = [(assignee_id, Notification.Reason.ASSIGNEE)]
        if alert.kind in REVIEWER_KINDS and reviewer_id is not None:
            recipients.append((reviewer_id, Notification.Reason.REVIEWER))
        if alert.escalated:
            recipients.extend((pk, Notification.Reason.MANAGER) for pk in managers)
        for user_id, reason in recipients:
            rows.setdefault((alert.pk, user_id), Notification(alert=alert, user_id=user_id, reason=reason))
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)
    alert_ids = [a.pk for a in alerts]
    transaction.on_commit(lambda: notifications.queue_alert_delivery(alert_ids))


def threshold_candidates(threshold: AlertThreshold, *, lower: datetime | None, now: datetime) -> QuerySet:
    """Return the open deadlines whose threshold moment lies in (lower, now] and has no alert yet.

    A range on the partial index of open deadlines' due times, so the cost follows the number due."""
    return (
        Deadline.objects.filter(closed_at__isnull=True, kind=threshold.deadline_kind)
        .filter(_due_range(threshold, lower, now))
        .exclude(_existing_alert(threshold))
        .order_by("due_at", "id")
    )


def _raise_threshold(
    threshold: AlertThreshold,
    *,
    now: datetime,
    lower: datetime | None,
    deadline_ids: list[int] | None,
    managers: list[int],
    result: ScanResult,
) -> bool:
    """Raise the threshold's alerts in committed batches; return False when some candidates were
    left because another transaction held them locked."""
    candidates = threshold_candidates(threshold, lower=lower, now=now)
    if deadline_ids is not None:
        candidates = candidates.filter(pk__in=deadline_ids)
    not_yet: set[int] = set()
    while True:
        with transaction.atomic():
            pending = candidates.exclude(pk__in=not_yet) if not_yet else candidates
            batch = list(
                pending.select_for_update(skip_locked=True, of=("self",)).annotate(
                    # Read with the deadline, so notifying needs no second look at the filings.
                    filing_assignee_id=F("filing__assignee_id"),
                    filing_reviewer_id=F("filing__reviewer_id"),
                )[: _batch_size()]
            )
            if not batch:
                break
            people = {d.filing_id: (d.filing_assignee_id, d.filing_reviewer_id) for d in batch}
            alerts = []
            for deadline in batch:
                moment = threshold_moment(threshold, deadline.due_at)
                # The index range is exact; this only guards against a deadline moved meanwhile.
                if moment <= now:
                    alerts.append(_new_alert(deadline, threshold, now=now, moment=moment))
                else:
                    not_yet.add(deadline.pk)
            created = _insert_alerts(alerts)
            _notify(created, managers=managers, people=people)
        result.raised += len(created)
        result.alert_ids.extend(a.pk for a in created)
        if len(batch) < _batch_size():
            break
    remaining = candidates.exclude(pk__in=not_yet) if not_yet else candidates
    return not remaining.exists()


def _raise_repeats(*, now: datetime, managers: list[int], result: ScanResult) -> None:
    """Repeat breaches still open (daily by default); one repeat per scan however long the gap."""
    while True:
        with transaction.atomic():
            batch = list(
                Alert.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("deadline", "threshold")
                .filter(repeat_due_at__lte=now)
                .order_by("repeat_due_at", "id")[: _batch_size()]
            )
            if not batch:
                return
            repeats = []
            for previous in batch:
                threshold, deadline = previous.threshold, previous.deadline
                if (
                    previous.withdrawn_at is None
                    and deadline.closed_at is None
                    and threshold.active
                    and threshold.repeat_every
                ):
                    first = previous.due_at - threshold.repeat_every * previous.occurrence
                    occurrence = int((now - first) / threshold.repeat_every)
                    if occurrence > previous.occurrence:
                        repeat = _new_alert(deadline, threshold, now=now, moment=first, occurrence=occurrence)
                        repeat.due_at = first + threshold.repeat_every * occurrence
                        repeats.append(repeat)
                previous.repeat_due_at = None
            Alert.objects.bulk_update(batch, ["repeat_due_at"])
            created = _insert_alerts(repeats)
            _notify(created, managers=managers)
        result.repeated += len(created)
        result.alert_ids.extend(a.pk for a in created)
        if len(batch) < _batch_size():
            return


def expire_sms_windows(*, now: datetime, managers: list[int], result: ScanResult) -> None:
    """Send every filing whose SMS window has passed back to entry, with its timeout alert."""
    threshold = AlertThreshold.objects.filter(
        deadline_kind=SMS_TIMEOUT_THRESHOLD[0], code=SMS_TIMEOUT_THRESHOLD[1], active=True
    ).first()
    tried: set[int] = set()
    while True:
        with transaction.atomic():
            # Driven by the open SMS windows past due (an index range), not by the filings table:
            # their filing ids are read first, so the filings are then found by primary key (as a
            # subquery PostgreSQL joined it against every filing in SMS verification).
            passed = set(
                Deadline.objects.filter(
                    kind=Kind.SMS_WINDOW, closed_at__isnull=True, due_at__lte=now
                ).values_list("filing_id", flat=True)
            )
            passed -= tried
            if not passed:
                return
            due = (
                Filing.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=sorted(passed), state=State.SMS_VERIFICATION)
                .order_by("pk")[: _batch_size()]
            )
            batch = list(due)
            if not batch:
                return
            for filing in batch:
                tried.add(filing.pk)
                deadline = Deadline.objects.get(
                    filing=filing, stage_visit=filing.stage_visit, kind=Kind.SMS_WINDOW
                )
                try:
                    with transaction.atomic():
                        transitions.expire_sms_window(filing, now=now)
                        created = []
                        if threshold is not None:
                            created = _insert_alerts(
                                [_new_alert(deadline, threshold, now=now, moment=deadline.due_at)]
                            )
                            _notify(created, managers=managers)
                except BeianError:
                    continue  # Someone moved the filing on first (e.g. the last verifier confirmed).
                result.expired += 1
                result.raised += len(created)
                result.alert_ids.extend(a.pk for a in created)


def scan_deadlines(*, now: datetime | None = None, deadline_ids: list[int] | None = None) -> ScanResult:
    """Raise every alert whose threshold has been reached, expire SMS windows and repeat breaches.

    Safe to run in several workers at once and to rerun after a crash: rows are shared out with
    SKIP LOCKED and the unique constraint keeps each alert single. The window starts an hour
    before the last completed scan, so a scan after an outage catches up on everything that came
    due meanwhile; `deadline_ids` limits the scan to those deadlines, with no window."""
    now = now or timezone.now()
    started = timezone.now()
    result = ScanResult()
    managers = _managers()
    lower = None
    if deadline_ids is None:
        watermark = _watermark()
        lower = None if watermark is None else min(watermark, now) - SCAN_LOOKBACK
    thresholds = AlertThreshold.objects.filter(active=True).exclude(
        deadline_kind=SMS_TIMEOUT_THRESHOLD[0], code=SMS_TIMEOUT_THRESHOLD[1]
    )
    complete = True
    for threshold in thresholds:
        complete &= _raise_threshold(
            threshold, now=now, lower=lower, deadline_ids=deadline_ids, managers=managers, result=result
        )
    if deadline_ids is None:
        # After the warnings, so that a scan catching up after an outage raises those too.
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


def _refresh_alert_statistics() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Alert._meta.db_table)}")


def reconcile_alerts(deadline_ids: list[int], *, now: datetime, reason: str | None = None) -> tuple[int, int]:
    """After deadlines moved (a calendar was entered, a draft was edited), withdraw alerts they no
    longer reach and raise the ones they now do. Return (withdrawn, raised)."""
    reason = reason or _("截止时间已按官方日历重新计算,该提醒不再适用。")
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
