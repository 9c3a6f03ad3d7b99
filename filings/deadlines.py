"""Deadlines of each stage: computed and stored when a filing enters a stage, recomputed when the
calendar changes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from filings import workdays
from filings.models import Deadline, Filing
from filings.states import State

Kind = Deadline.Kind


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    workdays: int | None = None
    delta: timedelta | None = None


# Stale-entry reminders at 7 and 15 days are thresholds on the one 30-day deadline.
STALE_ENTRY_DAYS = 30
PREREVIEW_TARGET_WORKDAYS = 1
PREREVIEW_OVERDUE_WORKDAYS = 2
SMS_WINDOW = timedelta(hours=24)
PUBLIC_SECURITY_WINDOW = timedelta(days=30)


def rules_for(filing: Filing) -> list[DeadlineRule]:
    """Return the deadlines a filing gets on entering its current stage."""
    if filing.state == State.ENTRY:
        return [DeadlineRule(Kind.STALE_ENTRY, delta=timedelta(days=STALE_ENTRY_DAYS))]
    if filing.state == State.PROVIDER_REVIEW:
        return [
            DeadlineRule(Kind.PREREVIEW_TARGET, workdays=PREREVIEW_TARGET_WORKDAYS),
            DeadlineRule(Kind.PREREVIEW_OVERDUE, workdays=PREREVIEW_OVERDUE_WORKDAYS),
        ]
    if filing.state == State.SMS_VERIFICATION:
        return [DeadlineRule(Kind.SMS_WINDOW, delta=SMS_WINDOW)]
    if filing.state == State.BUREAU_REVIEW:
        return [DeadlineRule(Kind.BUREAU_REVIEW, workdays=filing.province.bureau_review_workdays)]
    if filing.state == State.PUBLISHED and not filing.psb_number:
        return [DeadlineRule(Kind.PUBLIC_SECURITY, delta=PUBLIC_SECURITY_WINDOW)]
    return []


def compute_due(rule: DeadlineRule, start: datetime) -> workdays.Due:
    if rule.workdays is not None:
        return workdays.workday_deadline(start, rule.workdays)
    return workdays.calendar_deadline(start, rule.delta)


def close_open_deadlines(filing: Filing, *, now: datetime, kinds: list[str] | None = None) -> int:
    deadlines = Deadline.objects.filter(filing=filing, closed_at__isnull=True)
    if kinds is not None:
        deadlines = deadlines.filter(kind__in=kinds)
    return deadlines.update(closed_at=now)


def open_stage_deadlines(filing: Filing, *, now: datetime) -> list[Deadline]:
    """Close the previous stage's deadlines and store the current stage's. Call inside the
    transition's transaction."""
    close_open_deadlines(filing, now=now)
    created = []
    for rule in rules_for(filing):
        due = compute_due(rule, filing.stage_entered_at)
        created.append(
            Deadline(
                filing=filing,
                stage=filing.state,
                stage_visit=filing.stage_visit,
                kind=rule.kind,
                starts_at=filing.stage_entered_at,
                due_at=due.at,
                workdays=rule.workdays,
                provisional=due.provisional,
            )
        )
    return Deadline.objects.bulk_create(created)


def restart_stale_entry_deadline(filing: Filing, *, now: datetime) -> None:
    """A change to a draft restarts its stale-entry clock."""
    Deadline.objects.filter(filing=filing, kind=Kind.STALE_ENTRY, closed_at__isnull=True).update(
        starts_at=now, due_at=now + timedelta(days=STALE_ENTRY_DAYS)
    )


def recompute_provisional_deadlines(*, now: datetime | None = None) -> int:
    """Recompute every open provisional deadline (after an admin entered a year's calendar).

    Return how many deadlines changed due time or lost their provisional mark."""
    now = now or timezone.now()
    workdays.forget_overrides()
    changed = 0
    with transaction.atomic():
        open_provisional = Deadline.objects.select_for_update().filter(
            closed_at__isnull=True, provisional=True, workdays__isnull=False
        )
        for deadline in open_provisional:
            due = workdays.workday_deadline(deadline.starts_at, deadline.workdays)
            if due.at != deadline.due_at or due.provisional != deadline.provisional:
                deadline.due_at, deadline.provisional = due.at, due.provisional
                deadline.save(update_fields=["due_at", "provisional"])
                changed += 1
    return changed
