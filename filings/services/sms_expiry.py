"""SMS windows that passed, expired many filings at a time (the scheduler's backlog after an outage).

The same transition as transitions.expire_sms_window, for a batch through services.transition_batch:
a day's outage leaves thousands of windows passed, and a dozen round trips per filing made their
expiry the larger part of the catch-up."""

from datetime import datetime

from django_fsm import can_proceed

from filings.kinds.states import State
from filings.models import Deadline, Filing
from filings.services import transition_batch, transitions

# What the expiry, its history row, the entry stage's deadlines, the inbox rows and the mail read of
# a locked filing and its principal and subject.
LOCKED_FIELDS = (
    *transition_batch.STEP_FIELDS,
    "filing_type",
    "province_id",
    "assignee__email",
    "reviewer_id",
    "subject__name",
)


def expire_sms_windows(windows: list[Deadline], *, now: datetime) -> list[tuple[Filing, Deadline]]:
    """Send back to entry each filing whose SMS window (one of `windows`) has passed; return the
    (filing, window) pairs expired.

    Call inside a transaction, which holds the filings' locks until it ends: keep batches small.
    A filing locked elsewhere is skipped (its window stays open for the next scan), as is one that
    moved on (the window is no longer its current one)."""
    by_filing = {window.filing_id: window for window in windows}
    # NO KEY UPDATE, as the columns changed are no key: other rows' foreign keys to the filing
    # (alerts, events) can still be checked meanwhile. The principal and subject come along for
    # the mails sent after commit; only the filings are locked.
    locked = (
        Filing.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .select_related("assignee", "subject")
        .only(*LOCKED_FIELDS)
        .filter(pk__in=by_filing, state=State.SMS_VERIFICATION)
        .order_by("pk")
    )
    comment, reasons = transitions.sms_expiry_record()
    expired, steps = [], []
    for filing in locked:
        window = by_filing[filing.pk]
        if filing.stage_visit != window.stage_visit or not can_proceed(
            filing.expire_sms, check_conditions=False
        ):
            continue
        steps.append(
            transition_batch.take_step(
                filing, filing.expire_sms, by=None, now=now, comment=comment, reasons=reasons
            )
        )
        expired.append((filing, window))
    transition_batch.record_steps(steps, by=None, now=now)
    return expired
