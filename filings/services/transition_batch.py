"""Transitions of many filings at once: what a transition service writes for one filing (the filing,
its history row, the new stage's deadlines, the inbox row of a decision, the mail after commit),
written for a batch of locked filings in a statement per table.

The alert scan's expired SMS windows and the bureau import's decisions go through it. Each filing is
moved on in memory by transitions.advance, the step the single services take, so the rows written
are those a filing's own transition service writes; only the number of round trips differs."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from filings.models import Filing, FilingEvent
from filings.models.wording import Said
from filings.rules import deadlines
from filings.services import bulk_rows, notifications, transitions

# What every transition changes on the filing's row (transitions.advance).
STEP_FIELDS = ("state", "stage_visit", "stage_entered_at", "version", "updated_at")


@dataclass
class Step:
    """A transition a locked filing has made in memory, waiting to be written."""

    filing: Filing
    transition: str
    from_state: str
    stage_changed: bool
    comment: str | Said = ""
    reasons: list[dict] = field(default_factory=list)


def take_step(
    filing: Filing,
    method: Callable[[], None],
    *,
    by: Any,
    now: datetime,
    comment: str | Said = "",
    reasons: list[dict] | None = None,
    check_permission: bool = True,
) -> Step:
    """Run the transition on the locked filing in memory (its bound method, e.g. `locked.reject`),
    refusing it as its service does; write it with the rest of the batch by record_steps."""
    from_state, stage_changed = transitions.advance(
        filing, method, by=by, now=now, check_permission=check_permission
    )
    return Step(filing, method.__name__, from_state, stage_changed, comment, reasons or [])


def record_steps(
    steps: list[Step], *, by: Any, now: datetime, fields: tuple[str, ...] = ()
) -> list[FilingEvent]:
    """Save the filings the steps moved (their STEP_FIELDS and `fields`), write their history rows,
    their new stages' deadlines and the inbox rows of decisions, and queue their mails after commit.

    Call inside the transaction that locked the filings, each filing at most once: the locks are
    what keeps a filing's row as it was read, as the single services' row lock does."""
    if not steps:
        return []
    bulk_rows.update_fields([step.filing for step in steps], [*STEP_FIELDS, *fields])
    events = [
        transitions.history_event(
            step.filing,
            step.transition,
            from_state=step.from_state,
            by=by,
            at=now,
            comment=step.comment,
            reasons=step.reasons,
        )
        for step in steps
    ]
    bulk_rows.insert(events)
    # As deadlines.open_stages_deadlines, the new deadlines written by bulk_rows.
    moved = [step.filing for step in steps if step.stage_changed]
    if moved:
        deadlines.close_previous_stages_deadlines(moved, now=now)
        bulk_rows.insert([deadline for filing in moved for deadline in deadlines.new_stage_deadlines(filing)])
    notifications.record_decisions(events)
    transaction.on_commit(partial(notifications.send_transition_mails, events))
    return events
