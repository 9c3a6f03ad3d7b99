"""Planned histories of bulk filings: the transitions that lead to a stage, with plausible
working-day durations between them."""

import random
from datetime import date, datetime, timedelta

from filings.kinds.states import State
from filings.models import Filing, Transition
from filings.rules import workdays

PATHS = {
    State.ENTRY: [("create", "", State.ENTRY)],
    State.PROVIDER_REVIEW: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
    ],
    State.SMS_VERIFICATION: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
    ],
    State.BUREAU_REVIEW: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
        (Transition.COMPLETE_SMS, State.SMS_VERIFICATION, State.BUREAU_REVIEW),
    ],
    State.PUBLISHED: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
        (Transition.COMPLETE_SMS, State.SMS_VERIFICATION, State.BUREAU_REVIEW),
        (Transition.APPROVE, State.BUREAU_REVIEW, State.PUBLISHED),
    ],
    State.WITHDRAWN: [
        ("create", "", State.ENTRY),
        (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
        (Transition.WITHDRAW, State.PROVIDER_REVIEW, State.WITHDRAWN),
    ],
}
FINISHED_STATES = (State.PUBLISHED, State.WITHDRAWN)
RETURN = [
    *PATHS[State.PROVIDER_REVIEW][1:],
    (Filing.return_to_entry.__name__, State.PROVIDER_REVIEW, State.ENTRY),
]
REJECTION = [
    (Transition.SUBMIT, State.ENTRY, State.PROVIDER_REVIEW),
    (Transition.PASS_REVIEW, State.PROVIDER_REVIEW, State.SMS_VERIFICATION),
    (Transition.COMPLETE_SMS, State.SMS_VERIFICATION, State.BUREAU_REVIEW),
    (Transition.REJECT, State.BUREAU_REVIEW, State.ENTRY),
]


class WorkdayClock:
    """Working-day arithmetic with a per-day cache (bulk mode asks the same days many times)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[date, int], date] = {}

    def add(self, day: date, n: int) -> date:
        key = (day, n)
        if key not in self.cache:
            self.cache[key] = workdays.add_workdays(day, n)
        return self.cache[key]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=workdays.SHANGHAI
    )


def plan_steps(state, sent_back, province, start_day, rng, clock, today):
    """Return [(transition, from, to, at)] ending in `state`, with plausible working-day durations;
    a first submission `sent_back` ("returned" or "rejected") comes back to entry first."""
    steps = [("create", "", State.ENTRY, _at(start_day, rng))]
    day = start_day
    path = PATHS[state][1:]
    if sent_back == "returned":
        path = RETURN + path
    elif sent_back == "rejected":
        path = REJECTION + path
    for name, from_state, to_state in path:
        if name == Transition.SUBMIT:
            day = day + timedelta(days=rng.randint(0, 6))
        elif name in (Transition.PASS_REVIEW, RETURN[-1][0]):
            day = clock.add(day, rng.choice([0, 1, 1, 1, 2, 3]))
        elif name == Transition.COMPLETE_SMS:
            day = day + timedelta(days=rng.choice([0, 0, 1]))
        elif name in (Transition.APPROVE, Transition.REJECT):
            typical = province.typical_bureau_workdays
            day = clock.add(day, max(1, min(22, int(rng.gauss(typical, 3)))))
        elif name == Transition.WITHDRAW:
            day = day + timedelta(days=rng.randint(0, 3))
        day = min(day, today)
        # History reads in order: a step never precedes the one before it.
        at = max(_at(day, rng), steps[-1][3] + timedelta(minutes=rng.randint(5, 90)))
        steps.append((name, from_state, to_state, at))
    return steps


# How long ago an open filing may have entered its current stage.
RECENT_STAGE_ENTRY = {
    State.ENTRY: timedelta(days=40),
    State.PROVIDER_REVIEW: timedelta(days=4),
    State.SMS_VERIFICATION: timedelta(hours=30),
    State.BUREAU_REVIEW: timedelta(days=32),
}


def shift_to_recent(steps, state, rng, now):
    """Shift an open filing's history so that its current stage began recently."""
    window = RECENT_STAGE_ENTRY.get(state)
    if window is None:
        # Closed filings keep their dates, except that none of them may lie in the future.
        if steps[-1][3] <= now:
            return steps
        target = now - timedelta(seconds=rng.randint(60, 3600))
    else:
        target = now - timedelta(seconds=rng.randint(60, int(window.total_seconds())))
    shift = target - steps[-1][3]
    return [(name, from_state, to_state, at + shift) for name, from_state, to_state, at in steps]
