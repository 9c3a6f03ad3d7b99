"""The demo as `manage.py seed_demo` makes it: the users, the showcase and a year of finished filings."""

import random
import time
from dataclasses import dataclass

from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from filings.demo.bulk import seed_bulk
from filings.demo.showcase import DEMO_USERS, age_showcase_for_alerts, ensure_demo_users, seed_showcase
from filings.kinds.states import State
from filings.models import Filing

# Enough for the rejection-risk estimate of the busiest provinces' first filings (BEIAN_RISK_MIN_CASES).
DEMO_HISTORY_FILINGS = 600
# The year of finished filings the demo shows on the dashboard: mostly published, some withdrawn.
DEMO_HISTORY_STATES = [(State.PUBLISHED, 9), (State.WITHDRAWN, 1)]


@dataclass
class SeedReport:
    users: dict[str, str]
    filings: int
    seconds: float


def seed_demo(*, password: str | None = None, seed: int = 2026, history: bool = True) -> SeedReport:
    started = time.monotonic()
    passwords = ensure_demo_users(password)
    users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    # The showcase's notifications would only flood the console on every `make run`.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        created = seed_showcase(users=users, rng=random.Random(seed))
    age_showcase_for_alerts(now=timezone.now())
    if history and Filing.objects.count() < DEMO_HISTORY_FILINGS:
        # Finished filings of the past year, so that the dashboard's durations, shares and trends
        # have something to show; finished ones raise no alerts.
        seed_bulk(count=DEMO_HISTORY_FILINGS, seed=seed, states=DEMO_HISTORY_STATES, log=lambda *args: None)
        created += DEMO_HISTORY_FILINGS
    return SeedReport(users=passwords, filings=created, seconds=time.monotonic() - started)
