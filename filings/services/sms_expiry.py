"""SMS windows that passed, expired many filings at a time (the scheduler's backlog after an outage).

The same transition as transitions.expire_sms_window, written for a batch in a handful of
statements: a day's outage leaves thousands of windows passed, and a dozen round trips per filing
made their expiry the larger part of the catch-up."""

from datetime import datetime
from functools import partial

from django.db import transaction
from django_fsm import can_proceed

from filings.kinds.states import State
from filings.models import Deadline, Filing, FilingEvent, Transition
from filings.rules import deadlines
from filings.services import notifications, transitions


def expire_sms_windows(windows: list[Deadline], *, now: datetime) -> list[tuple[Filing, Deadline]]:
    """Send back to entry each filing whose SMS window (one of `windows`) has passed; return the
    (filing, window) pairs expired.

    Call inside a transaction, which holds the filings' locks until it ends: keep batches small.
    A filing locked elsewhere is skipped (its window stays open for the next scan), as is one that
    moved on (the window is no longer its current one)."""
    by_filing = {window.filing_id: window for window in windows}
    # NO KEY UPDATE, as the columns changed are no key: other rows' foreign keys to the filing
    # (alerts, events) can still be checked meanwhile.
    locked = (
        Filing.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(pk__in=by_filing, state=State.SMS_VERIFICATION)
        .order_by("pk")
    )
    expired = []
    for filing in locked:
        window = by_filing[filing.pk]
        if filing.stage_visit != window.stage_visit or not can_proceed(
            filing.expire_sms, check_conditions=False
        ):
            continue
        filing.expire_sms()
        filing.stage_visit += 1
        filing.stage_entered_at = now
        filing.version += 1
        filing.updated_at = now
        expired.append((filing, window))
    if not expired:
        return []
    filings = [filing for filing, _window in expired]
    Filing.objects.bulk_update(filings, ["state", "stage_visit", "stage_entered_at", "version", "updated_at"])
    comment, reasons = transitions.sms_expiry_record()
    events = FilingEvent.objects.bulk_create(
        FilingEvent(
            filing=filing,
            actor=None,
            at=now,
            transition=Transition.EXPIRE_SMS,
            from_state=State.SMS_VERIFICATION,
            to_state=filing.state,
            **FilingEvent.comment_fields(comment),
            reasons=reasons,
            stage_visit=filing.stage_visit,
        )
        for filing in filings
    )
    Deadline.objects.filter(filing__in=filings, closed_at__isnull=True).update(closed_at=now)
    Deadline.objects.bulk_create(
        deadline for filing in filings for deadline in deadlines.new_stage_deadlines(filing)
    )
    for event in events:
        transaction.on_commit(partial(notifications.notify_transition, event.pk))
    return expired
