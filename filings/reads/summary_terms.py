"""What the statistics summaries are made of: their periods, the stages whose durations they give,
and the local day a moment falls on (read by the summaries' rebuild and by the pages that read them)."""

from datetime import date, datetime

from filings.kinds.states import State
from filings.models import Transition
from filings.rules import workdays

# The periods the rollups are built for (the last N days, today included).
PERIODS = (30, 90, 180, 365)
WEEKS_KEPT = 53
# The stages on the way to publication, in order: the durations the summaries give.
DURATION_STAGES = [State.ENTRY, State.PROVIDER_REVIEW, State.SMS_VERIFICATION, State.BUREAU_REVIEW]
# The exit of each stage on the way to publication: the visits publication estimates are taken from.
FORWARD_EXIT = {
    State.ENTRY: Transition.SUBMIT,
    State.PROVIDER_REVIEW: Transition.PASS_REVIEW,
    State.SMS_VERIFICATION: Transition.COMPLETE_SMS,
    State.BUREAU_REVIEW: Transition.APPROVE,
}
REASON_TRANSITIONS = (Transition.RETURN_TO_ENTRY, Transition.REJECT)


def local_day(moment: datetime) -> date:
    return moment.astimezone(workdays.SHANGHAI).date()


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=workdays.SHANGHAI)
