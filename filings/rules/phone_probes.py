"""A bound on how many different phone numbers may be checked against other subjects' in an hour,
per filing and per principal, so the pre-submission check cannot be used to find out which numbers
other subjects hold."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

WINDOW_SECONDS = 3600


def _digest(number: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{number}".encode()).hexdigest()[:16]


def may_check(*, filing_id: int, user_id: int | None, numbers: set[str]) -> bool:
    """Record the numbers as checked; return False once a budget of the hour is spent.

    Numbers already checked in the window are free, so reloading the checklist costs nothing."""
    window = int(timezone.now().timestamp() // WINDOW_SECONDS)
    budgets = {
        f"phone-probes:filing:{filing_id}:{window}": settings.BEIAN_PHONE_PROBES_PER_FILING,
        f"phone-probes:user:{user_id}:{window}": settings.BEIAN_PHONE_PROBES_PER_USER,
    }
    wanted = {_digest(n) for n in numbers if n}
    seen = cache.get_many(budgets)
    updates = {}
    for key, limit in budgets.items():
        known = set(seen.get(key) or ())
        if wanted <= known:
            continue
        if len(known | wanted) > limit:
            return False
        updates[key] = known | wanted
    if updates:
        cache.set_many(updates, timeout=WINDOW_SECONDS)
    return True
