"""The official Chinese working-day calendar: chinese-calendar's data, overridden by an admin's days.

A year is *official* when chinese-calendar ships its holiday notice or an admin has entered it
(CalendarYear). For any other year the calendar still answers, counting Monday to Friday minus the
statutory holidays as the `holidays` package estimates them (the lunar festivals included, days
falling on a weekend given on the next working day; make-up working days cannot be foreseen), and
callers mark what they computed from it as provisional.
"""

import functools
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")
# How long one process trusts its copy of the admin's calendar before reading it again (the setting
# BEIAN_CALENDAR_RECHECK_SECONDS): a day an admin changes on one node is answered by every other
# web node and worker within this bound (issue #24); the node where it was saved forgets its copy
# at once.
OVERRIDES_TTL_SECONDS = 30

_lock = threading.Lock()
_cache: dict[str, object] = {"loaded_at": 0.0, "days": {}, "years": frozenset()}


def _package_years() -> range:
    # chinese-calendar declares the years it has data for; it raises NotImplementedError outside them.
    holidays = chinese_calendar.holidays
    years = sorted({d.year for d in holidays})
    return range(years[0], years[-1] + 1)


PACKAGE_YEARS = _package_years()


def recheck_seconds() -> float:
    from django.conf import settings

    return getattr(settings, "BEIAN_CALENDAR_RECHECK_SECONDS", OVERRIDES_TTL_SECONDS)


def _load_overrides() -> tuple[dict[date, bool], frozenset[int]]:
    now = time.monotonic()
    with _lock:
        if now - float(_cache["loaded_at"]) < recheck_seconds():
            return _cache["days"], _cache["years"]  # type: ignore[return-value]
    from django.db import DatabaseError

    from filings.models import CalendarDay, CalendarYear

    try:
        days = dict(CalendarDay.objects.values_list("date", "is_workday"))
        years = frozenset(CalendarYear.objects.filter(official=True).values_list("year", flat=True))
    except DatabaseError:
        # Before migrations have run (or outside a database) only the package's data counts.
        days, years = {}, frozenset()
    with _lock:
        _cache.update(loaded_at=now, days=days, years=years)
    return days, years


def forget_overrides() -> None:
    """Make the next question read the admin's calendar afresh (called when it changes)."""
    with _lock:
        _cache["loaded_at"] = 0.0


def is_official_year(year: int) -> bool:
    """Return whether the year's holidays come from an official notice (package or admin)."""
    _, years = _load_overrides()
    return year in PACKAGE_YEARS or year in years


def is_workday(d: date) -> bool:
    days, _ = _load_overrides()
    return _is_workday(d, days)


def _is_workday(d: date, days: dict[date, bool]) -> bool:
    if d in days:
        return days[d]
    if d.year in PACKAGE_YEARS:
        return _package_is_workday(d)
    return d.weekday() < 5 and d not in estimated_holidays(d.year)


@functools.lru_cache(maxsize=64)
def estimated_holidays(year: int) -> frozenset[date]:
    """Return the statutory holidays of a year without an official notice, as the `holidays`
    package computes them from the law (Spring Festival, Qingming, Dragon Boat and Mid-Autumn by
    the lunar calendar; a holiday on a weekend moved to the next working day)."""
    return frozenset(holidays.country_holidays("CN", years=year, observed=True))


@functools.lru_cache(maxsize=8192)
def _package_is_workday(d: date) -> bool:
    # The package's data never changes while running, and each of its lookups scans all its
    # holidays for their first and last year (min/max), which dominated queue pages.
    return chinese_calendar.is_workday(d)


def add_workdays(start: date, n: int) -> date:
    """Return the Nth working day after start (start itself is day 0)."""
    if n < 0:
        raise ValueError("n must not be negative")
    days, _ = _load_overrides()
    current, remaining = start, n
    while remaining:
        current += timedelta(days=1)
        if _is_workday(current, days):
            remaining -= 1
    return current


def workdays_between(start: date, end: date) -> int:
    """Return the number of working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    days, _ = _load_overrides()
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += _is_workday(current, days)
    return count


def years_touched(start: date, end: date) -> range:
    return range(min(start.year, end.year), max(start.year, end.year) + 1)


def is_provisional(start: date, end: date) -> bool:
    """Return whether any year between start and end lacks official calendar data."""
    return not all(is_official_year(year) for year in years_touched(start, end))


@dataclass(frozen=True)
class Due:
    at: datetime
    provisional: bool


def workday_deadline(start: datetime, n: int) -> Due:
    """Return 23:59:59 Asia/Shanghai on the Nth working day after start's day."""
    start_day = start.astimezone(SHANGHAI).date()
    day = add_workdays(start_day, n)
    at = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI)
    return Due(at=at, provisional=is_provisional(start_day, day))


def calendar_deadline(start: datetime, delta: timedelta) -> Due:
    """Return a deadline counted in calendar time (the SMS window, the public-security 30 days)."""
    return Due(at=start + delta, provisional=False)


def workdays_left(now: datetime, due: datetime) -> int:
    """Return working days from now's day to due's day (0 on the due day, negative when past)."""
    return workdays_between(now.astimezone(SHANGHAI).date(), due.astimezone(SHANGHAI).date())


def civil_period_deadline(start_day: date, days: int) -> Due:
    """Return the end of a period of `days` calendar days counted as Chinese civil law counts them:
    from the day after start_day, ending at 24:00 (here 23:59:59) of the last day, and when the last
    day is a rest day or a holiday, on the next working day instead."""
    last = start_day + timedelta(days=days)
    while not is_workday(last):
        last += timedelta(days=1)
    at = datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=SHANGHAI)
    return Due(at=at, provisional=is_provisional(start_day, last))
