"""The rows an alert scan writes: new alerts (each inserted once) and their recipients' inbox entries."""

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from filings import bulk_rows, notifications
from filings.models import Alert, AlertThreshold, Deadline, Filing, Notification

Kind = Deadline.Kind

# Reviewers act on these deadlines, so the filing's reviewer hears of them too.
REVIEWER_KINDS = {Kind.PREREVIEW_TARGET, Kind.PREREVIEW_OVERDUE, Kind.BUREAU_REVIEW}


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


def managers_to_escalate_to() -> list[int]:
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


def notify(
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
