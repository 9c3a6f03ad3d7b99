"""Deadlines of each stage: computed and stored when a filing enters a stage, recomputed when the
calendar changes."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.db.models.functions import ExtractYear

from filings.kinds.states import State
from filings.models import Alert, Deadline, Filing
from filings.models.deadlines import STALE_ENTRY_DAYS
from filings.rules import workdays

Kind = Deadline.Kind


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    workdays: int | None = None
    delta: timedelta | None = None


# Stale-entry reminders at 7 and 15 days are thresholds on the one 30-day deadline.
PREREVIEW_TARGET_WORKDAYS = 1
PREREVIEW_OVERDUE_WORKDAYS = 2
SMS_WINDOW = timedelta(hours=24)
PUBLIC_SECURITY_DAYS = 30


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
        rules = [DeadlineRule(Kind.SMS_WINDOW, delta=SMS_WINDOW)]
        if filing.province.face_check_hours:
            rules.append(
                DeadlineRule(Kind.FACE_CHECK, delta=timedelta(hours=filing.province.face_check_hours))
            )
        return rules
    if filing.state == State.BUREAU_REVIEW:
        return [DeadlineRule(Kind.BUREAU_REVIEW, workdays=filing.province.bureau_review_workdays)]
    # Filings that bring something new online owe a public-security registration; changes and
    # cancellations of it do not.
    if filing.state == State.PUBLISHED and not filing.psb_number and filing.kind.owes_public_security:
        return [DeadlineRule(Kind.PUBLIC_SECURITY)]
    return []


def compute_due(rule: DeadlineRule, start: datetime) -> workdays.Due:
    if rule.workdays is not None:
        return workdays.workday_deadline(start, rule.workdays)
    if rule.kind == Kind.PUBLIC_SECURITY:
        return public_security_due(start)
    return workdays.calendar_deadline(start, rule.delta)


def public_security_start(filing: Filing) -> datetime:
    """Return when the public-security period starts: the day the site went live (网站开通之日)."""
    day = filing.went_live_on or filing.stage_entered_at.astimezone(workdays.SHANGHAI).date()
    return datetime(day.year, day.month, day.day, tzinfo=workdays.SHANGHAI)


def public_security_due(start: datetime) -> workdays.Due:
    return workdays.civil_period_deadline(start.astimezone(workdays.SHANGHAI).date(), PUBLIC_SECURITY_DAYS)


def puts_things_online(filing: Filing) -> bool:
    """Return whether the filing is published and of a type that puts things online."""
    return filing.state == State.PUBLISHED and filing.kind.owes_public_security


def keeps_something_online(filing: Filing) -> bool:
    """Return whether a published filing of a type that puts things online still has one online here
    (a website neither cancelled nor moved to another provider, or an app not cancelled). Reads the
    filing's websites and apps (prefetched by selectors.filing_detail)."""
    if not puts_things_online(filing):
        return False
    return any(
        w.cancelled_at is None and w.access_cancelled_at is None for w in filing.websites.all()
    ) or any(a.cancelled_at is None for a in filing.apps.all())


def owes_public_security(filing: Filing) -> bool:
    """Return whether the filing is still to be registered with the public-security bureau."""
    return not filing.psb_number and keeps_something_online(filing)


def read_what_is_online(filings: Iterable[Filing]) -> None:
    """Read the websites and apps owes_public_security() reads of those filings that may still owe
    the registration, two statements for them all (none when none may)."""
    # psb_number last: a filing read with only() may not have it, and most are not published.
    may_owe = [f for f in filings if puts_things_online(f) and not f.psb_number]
    if may_owe:
        prefetch_related_objects(may_owe, "websites", "apps")


# What a published filing owes only while something of it is online.
ONLINE_KINDS = [Kind.PUBLIC_SECURITY, Kind.FOOTER_FIX]


def close_when_nothing_online(filings: list[Filing], *, now: datetime) -> list[int]:
    """Close the public-security and footer deadlines of those filings with nothing left online (after
    a cancellation or cancel access). Return the ids of the filings whose deadlines closed."""
    closed = []
    for filing in filings:
        if not keeps_something_online(filing):
            close_open_deadlines(filing, now=now, kinds=ONLINE_KINDS)
            closed.append(filing.pk)
    return closed


def close_open_deadlines(filing: Filing, *, now: datetime, kinds: list[str] | None = None) -> int:
    deadlines = Deadline.objects.filter(filing=filing, closed_at__isnull=True)
    if kinds is not None:
        deadlines = deadlines.filter(kind__in=kinds)
    return deadlines.update(closed_at=now)


def new_stage_deadlines(filing: Filing) -> list[Deadline]:
    """Return the (unsaved) deadlines of the stage the filing has just entered."""
    deadlines = []
    for rule in rules_for(filing):
        starts_at = (
            public_security_start(filing) if rule.kind == Kind.PUBLIC_SECURITY else filing.stage_entered_at
        )
        due = compute_due(rule, starts_at)
        deadlines.append(
            Deadline(
                filing=filing,
                province_id=filing.province_id,
                stage=filing.state,
                stage_visit=filing.stage_visit,
                kind=rule.kind,
                starts_at=starts_at,
                due_at=due.at,
                workdays=rule.workdays,
                provisional=due.provisional,
            )
        )
    return deadlines


def open_stage_deadlines(filing: Filing, *, now: datetime) -> list[Deadline]:
    """Close the previous stage's deadlines and store the current stage's. Call inside the
    transition's transaction."""
    return open_stages_deadlines([filing], now=now)


def open_stages_deadlines(filings: list[Filing], *, now: datetime) -> list[Deadline]:
    """Close the previous stages' deadlines of these filings and store their current stages', in two
    statements whatever their number. Call inside the transitions' transaction."""
    if not filings:
        return []
    close_previous_stages_deadlines(filings, now=now)
    return Deadline.objects.bulk_create(
        deadline for filing in filings for deadline in new_stage_deadlines(filing)
    )


def close_previous_stages_deadlines(filings: list[Filing], *, now: datetime) -> int:
    """Close every open deadline of these filings, which have just left the stage they were for."""
    return Deadline.objects.filter(filing__in=filings, closed_at__isnull=True).update(closed_at=now)


def restart_stale_entry_deadline(filing: Filing, *, now: datetime) -> list[int]:
    """Restart a draft's stale-entry clock from `now` (a change to it). Return the ids of the
    restarted deadlines that already raised reminders: the caller reconciles their alerts, so that
    the 7/15/30-day reminders count again from this change."""
    stale = Deadline.objects.filter(filing=filing, kind=Kind.STALE_ENTRY, closed_at__isnull=True)
    deadline_ids = list(stale.values_list("id", flat=True))
    stale.update(starts_at=now, due_at=now + timedelta(days=STALE_ENTRY_DAYS))
    if Alert.objects.filter(deadline_id__in=deadline_ids, withdrawn_at__isnull=True).exists():
        return deadline_ids
    return []


def recompute_provisional_deadlines() -> list[int]:
    """Recompute every open provisional deadline (after an admin entered a year's calendar).

    Return the ids of the deadlines that changed due time or lost their provisional mark; the
    caller reconciles their alerts."""
    workdays.forget_overrides()
    changed_ids = []
    with transaction.atomic():
        open_provisional = Deadline.objects.select_for_update().filter(
            Q(workdays__isnull=False) | Q(kind=Kind.PUBLIC_SECURITY), closed_at__isnull=True, provisional=True
        )
        for deadline in open_provisional:
            due = compute_due(DeadlineRule(deadline.kind, workdays=deadline.workdays), deadline.starts_at)
            if due.at != deadline.due_at or due.provisional != deadline.provisional:
                deadline.due_at, deadline.provisional = due.at, due.provisional
                deadline.save(update_fields=["due_at", "provisional"])
                changed_ids.append(deadline.pk)
    return changed_ids


def provisional_years_now_official() -> bool:
    """Return whether some open provisional deadline now spans only years with official data (an
    admin entered the year, or an upgraded calendar package knows it). Cheap when none does."""
    spans = (
        Deadline.objects.filter(closed_at__isnull=True, provisional=True)
        .annotate(
            start_year=ExtractYear("starts_at", tzinfo=workdays.SHANGHAI),
            due_year=ExtractYear("due_at", tzinfo=workdays.SHANGHAI),
        )
        .values_list("start_year", "due_year")
        .distinct()
    )
    return any(all(workdays.is_official_year(y) for y in range(a, b + 1)) for a, b in spans)
