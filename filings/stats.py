"""Statistics for the manager dashboard: the summaries' refresh (writes) and the reads built on them.

The filing history (FilingEvent) is the source of truth. `refresh_summaries` turns it into small
day-keyed tables (rebuilding only recent days on each run) and then into per-period rollups, so
the dashboard reads a few hundred rows whatever the number of filings. Durations are counted in
working days on the official calendar; percentiles use the nearest-rank method.
"""

import functools
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from filings import statements, workdays
from filings.models import (
    Deadline,
    Filing,
    FilingEvent,
    Province,
    ReasonDay,
    ReasonRollup,
    StageCount,
    StageEntryDay,
    StageVisitDay,
    StageVisitRollup,
    StatsRefresh,
    WeeklyFlow,
)
from filings.states import OPEN_STATES, STAGES, State

# The periods a manager can choose on the dashboard (the last N days, today included).
PERIODS = (30, 90, 180, 365)
DEFAULT_PERIOD = 90
# Expected publication dates use this period's medians, and a province's own history only when
# it holds at least this many visits of a stage.
BASIS_PERIOD = 90
MIN_SAMPLES = 20
WEEKS_KEPT = 53
REASON_TRANSITIONS = ("return_to_entry", "reject")
# The exit of each stage on the way to publication (used for expected dates).
FORWARD_EXIT = {
    State.ENTRY: "submit",
    State.PROVIDER_REVIEW: "pass_review",
    State.SMS_VERIFICATION: "complete_sms",
    State.BUREAU_REVIEW: "approve",
}
# Typical working days of the stages before the bureau when there is no history (domain.md).
TYPICAL_WORKDAYS = {State.ENTRY: 2, State.PROVIDER_REVIEW: 1, State.SMS_VERIFICATION: 0}
_BATCH = 5000


def local_day(moment: datetime) -> date:
    return moment.astimezone(workdays.SHANGHAI).date()


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=workdays.SHANGHAI)


# Refresh (writes).


def refresh_summaries(*, full: bool = False, now: datetime | None = None) -> StatsRefresh:
    """Rebuild the summaries: day tables from the day before the last refresh on (all when `full`),
    then the stage counts, the period rollups and the weekly flows."""
    started = time.monotonic()
    now = now or timezone.now()
    last = StatsRefresh.objects.order_by("-refreshed_at").first()
    since = None if full or last is None else local_day(last.refreshed_at) - timedelta(days=1)
    with transaction.atomic():
        events = _rebuild_days(since)
        _rebuild_stage_counts()
        _rebuild_rollups(local_day(now))
        _rebuild_weekly_flows(local_day(now))
        return StatsRefresh.objects.create(
            refreshed_at=now, rebuilt_from=since, events=events, seconds=time.monotonic() - started
        )


def _rebuild_days(since: date | None) -> int:
    """Recount the day tables for days from `since` on; return how many history rows were read."""
    day_tables = (StageVisitDay, StageEntryDay, ReasonDay)
    stage_changes = FilingEvent.objects.exclude(from_state=F("to_state"))
    if since is None:
        for model in day_tables:
            model.objects.all().delete()
        relevant = stage_changes
        start_at = None
    else:
        for model in day_tables:
            model.objects.filter(day__gte=since).delete()
        start_at = day_start(since)
        touched = FilingEvent.objects.filter(at__gte=start_at).values("filing_id")
        relevant = stage_changes.filter(filing_id__in=touched)
    rows = relevant.order_by("filing_id", "at", "id").values_list(
        "filing_id", "filing__province_id", "transition", "from_state", "to_state", "at", "reasons"
    )

    visits: dict[tuple, int] = defaultdict(int)
    entries: dict[tuple, int] = defaultdict(int)
    reasons: dict[tuple, list] = {}
    between_cache: dict[tuple[date, date], int] = {}
    tracked_entry = set(STAGES)
    tracked_exit = set(OPEN_STATES)
    current_filing, entered_day, read = None, None, 0
    for filing_id, province_id, transition, from_state, to_state, at, event_reasons in rows.iterator(
        chunk_size=_BATCH
    ):
        read += 1
        day = local_day(at)
        if filing_id != current_filing:
            current_filing, entered_day = filing_id, None
        if start_at is None or at >= start_at:
            if to_state in tracked_entry:
                entries[(day, province_id, to_state)] += 1
            if from_state in tracked_exit and entered_day is not None:
                key = (entered_day, day)
                if key not in between_cache:
                    between_cache[key] = max(0, workdays.workdays_between(entered_day, day))
                visits[(day, province_id, from_state, transition, between_cache[key])] += 1
            if transition in REASON_TRANSITIONS:
                for item in event_reasons or []:
                    text = str(item.get("reason", "")).strip()
                    if not text:
                        continue
                    reason_key = (str(item.get("code", "")).strip() or text)[:200]
                    slot = reasons.setdefault((day, province_id, transition, reason_key), [text[:500], 0])
                    slot[1] += 1
        entered_day = day

    StageVisitDay.objects.bulk_create(
        (
            StageVisitDay(day=d, province_id=p, stage=s, left_by=t, workdays=w, visits=n)
            for (d, p, s, t, w), n in visits.items()
        ),
        batch_size=_BATCH,
    )
    StageEntryDay.objects.bulk_create(
        (StageEntryDay(day=d, province_id=p, stage=s, entries=n) for (d, p, s), n in entries.items()),
        batch_size=_BATCH,
    )
    ReasonDay.objects.bulk_create(
        (
            ReasonDay(day=d, province_id=p, transition=t, key=k, reason=text, count=n)
            for (d, p, t, k), (text, n) in reasons.items()
        ),
        batch_size=_BATCH,
    )
    return read


def _rebuild_stage_counts() -> None:
    counts = Filing.objects.values("province_id", "state").annotate(
        n=Count("id"), awaiting=Count("id", filter=Q(state=State.PUBLISHED, psb_number=""))
    )
    StageCount.objects.all().delete()
    StageCount.objects.bulk_create(
        StageCount(
            province_id=row["province_id"], state=row["state"], filings=row["n"], awaiting_psb=row["awaiting"]
        )
        for row in counts
    )


def _rebuild_rollups(today: date) -> None:
    StageVisitRollup.objects.all().delete()
    ReasonRollup.objects.all().delete()
    for period in PERIODS:
        first_day = today - timedelta(days=period - 1)
        visits = (
            StageVisitDay.objects.filter(day__gte=first_day)
            .values("province_id", "stage", "left_by", "workdays")
            .annotate(n=Sum("visits"))
        )
        StageVisitRollup.objects.bulk_create(
            (
                StageVisitRollup(
                    period_days=period,
                    province_id=row["province_id"],
                    stage=row["stage"],
                    left_by=row["left_by"],
                    workdays=row["workdays"],
                    visits=row["n"],
                )
                for row in visits
            ),
            batch_size=_BATCH,
        )
        given = (
            ReasonDay.objects.filter(day__gte=first_day)
            .values("province_id", "transition", "key")
            .annotate(n=Sum("count"))
        )
        texts = dict(ReasonDay.objects.filter(day__gte=first_day).values_list("key", "reason"))
        ReasonRollup.objects.bulk_create(
            (
                ReasonRollup(
                    period_days=period,
                    province_id=row["province_id"],
                    transition=row["transition"],
                    key=row["key"],
                    reason=texts.get(row["key"], row["key"]),
                    count=row["n"],
                )
                for row in given
            ),
            batch_size=_BATCH,
        )


def _rebuild_weekly_flows(today: date) -> None:
    first_week = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS_KEPT - 1)
    flows: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    entered = (
        StageEntryDay.objects.filter(day__gte=first_week)
        .annotate(week=TruncWeek("day"))
        .values("week", "stage")
        .annotate(n=Sum("entries"))
    )
    for row in entered:
        flows[(_as_date(row["week"]), row["stage"])][0] += row["n"]
    left = (
        StageVisitDay.objects.filter(day__gte=first_week)
        .annotate(week=TruncWeek("day"))
        .values("week", "stage")
        .annotate(n=Sum("visits"))
    )
    for row in left:
        flows[(_as_date(row["week"]), row["stage"])][1] += row["n"]
    WeeklyFlow.objects.all().delete()
    WeeklyFlow.objects.bulk_create(
        WeeklyFlow(week=week, stage=stage, entered=n_in, left=n_out)
        for (week, stage), (n_in, n_out) in flows.items()
    )


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# Reads.


def percentile(histogram: dict[int, int], fraction: float) -> int | None:
    """Return the nearest-rank percentile of values given as {value: how many}."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


@dataclass
class Duration:
    visits: int
    median: int | None
    p90: int | None


def _duration(histogram: dict[int, int]) -> Duration:
    return Duration(
        visits=sum(histogram.values()), median=percentile(histogram, 0.5), p90=percentile(histogram, 0.9)
    )


@dataclass
class ProvinceStats:
    province: Province
    durations: dict[str, Duration]
    # Exits of each stage by transition: {"provider_review": {"pass_review": 10, "return_to_entry": 2}}.
    exits: dict[str, dict[str, int]]
    top_reasons: list[tuple[str, int]]

    def _share(self, stage: str, transition: str) -> float | None:
        total = sum(self.exits.get(stage, {}).values())
        return self.exits.get(stage, {}).get(transition, 0) / total if total else None

    @property
    def returned_share(self) -> float | None:
        """Pre-review decisions that returned the filing, out of all pre-review exits."""
        return self._share(State.PROVIDER_REVIEW, "return_to_entry")

    @property
    def rejected_share(self) -> float | None:
        """Bureau decisions that rejected the filing, out of all bureau-review exits."""
        return self._share(State.BUREAU_REVIEW, "reject")

    @property
    def decisions(self) -> int:
        return sum(self.exits.get(State.BUREAU_REVIEW, {}).values())


@dataclass
class PeriodStats:
    period_days: int
    provinces: list[ProvinceStats]
    national: ProvinceStats | None
    top_reasons: list[tuple[str, int]] = field(default_factory=list)


DURATION_STAGES = [State.ENTRY, State.PROVIDER_REVIEW, State.SMS_VERIFICATION, State.BUREAU_REVIEW]


def period_stats(
    period_days: int = DEFAULT_PERIOD, *, provinces: Iterable[Province] | None = None
) -> PeriodStats:
    """Return durations, exit shares and top reasons per province (and nationally) over a period."""
    if period_days not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    provinces = list(provinces if provinces is not None else Province.objects.all())
    histograms: dict[int, dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    exits: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    national_hist: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    national_exits: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = StageVisitRollup.objects.filter(period_days=period_days).values_list(
        "province_id", "stage", "left_by", "workdays", "visits"
    )
    for province_id, stage, left_by, days, visits in rows:
        histograms[province_id][stage][days] += visits
        exits[province_id][stage][left_by] += visits
        national_hist[stage][days] += visits
        national_exits[stage][left_by] += visits
    reasons: dict[int, list[tuple[str, int]]] = defaultdict(list)
    national_reasons: dict[str, int] = defaultdict(int)
    reason_rows = (
        ReasonRollup.objects.filter(period_days=period_days)
        .order_by("province_id", "-count", "key")
        .values_list("province_id", "reason", "count")
    )
    for province_id, reason, count in reason_rows:
        reasons[province_id].append((reason, count))
        national_reasons[reason] += count
    result = []
    for province in provinces:
        result.append(
            ProvinceStats(
                province=province,
                durations={s: _duration(histograms[province.pk][s]) for s in DURATION_STAGES},
                exits={s: dict(v) for s, v in exits[province.pk].items()},
                top_reasons=reasons[province.pk][:3],
            )
        )
    national = ProvinceStats(
        province=None,  # type: ignore[arg-type]
        durations={s: _duration(national_hist[s]) for s in DURATION_STAGES},
        exits={s: dict(v) for s, v in national_exits.items()},
        top_reasons=sorted(national_reasons.items(), key=lambda item: (-item[1], item[0]))[:10],
    )
    return PeriodStats(
        period_days=period_days, provinces=result, national=national, top_reasons=national.top_reasons
    )


@dataclass
class StageCounts:
    rows: list[tuple[Province, dict[str, int]]]
    totals: dict[str, int]
    awaiting_psb: int
    # Published filings without a public-security number, by province id (they add up to awaiting_psb).
    awaiting_by_province: dict[int, int] = field(default_factory=dict)


def stage_counts(provinces: Iterable[Province] | None = None) -> StageCounts:
    """Return how many filings each province has in each state (as of the last refresh)."""
    provinces = list(provinces if provinces is not None else Province.objects.all())
    by_province: dict[int, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = dict.fromkeys(State.values, 0)
    awaiting = 0
    awaiting_by_province: dict[int, int] = defaultdict(int)
    for province_id, state, n, waiting in StageCount.objects.values_list(
        "province_id", "state", "filings", "awaiting_psb"
    ):
        by_province[province_id][state] = n
        totals[state] = totals.get(state, 0) + n
        awaiting += waiting
        awaiting_by_province[province_id] += waiting
    rows = [(p, {s: by_province[p.pk].get(s, 0) for s in State.values}) for p in provinces]
    return StageCounts(
        rows=rows,
        totals=totals,
        awaiting_psb=awaiting,
        awaiting_by_province={p.pk: awaiting_by_province.get(p.pk, 0) for p in provinces},
    )


# Reads derived from the summaries, kept by this process: name -> (what they were computed from, value).
_kept: dict[object, tuple[object, object]] = {}


def _keep(name: object, version: object, compute):
    """Return compute(), computed again only when `version` differs from the last call's."""
    held = _kept.get(name)
    if held is None or held[0] != version:
        held = (version, compute())
        _kept[name] = held
    return held[1]


def forget_process_copies() -> None:
    """Drop this process' kept reads (histograms, totals, estimates). They are keyed by the
    refresh, the calendar and the language, so only a change that none of these records needs
    this (tests that write summaries or change the estimate's settings directly)."""
    _kept.clear()


def stage_totals(stamp: tuple | None) -> tuple[dict[str, int], int]:
    """Return ({state: filings}, awaiting public security) as of the refresh `stamp` names.

    The counts change only with a refresh, so a page that has the stamp (refresh_stamp()) reads
    them once per refresh and process instead of on every request."""

    def compute() -> tuple[dict[str, int], int]:
        counts = stage_counts(provinces=[])
        return counts.totals, counts.awaiting_psb

    return _keep("stage totals", stamp, compute)


def weekly_flows(weeks: int = 12, *, today: date | None = None) -> list[dict]:
    """Return the last `weeks` weeks: [{"week": monday, "flows": {stage: (entered, left)}}]."""
    today = today or timezone.localdate()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    by_week: dict[date, dict[str, tuple[int, int]]] = {first + timedelta(weeks=i): {} for i in range(weeks)}
    for week, stage, entered, left in WeeklyFlow.objects.filter(week__gte=first).values_list(
        "week", "stage", "entered", "left"
    ):
        if week in by_week:
            by_week[week][stage] = (entered, left)
    return [{"week": week, "flows": flows} for week, flows in sorted(by_week.items())]


def refresh_stamp() -> tuple | None:
    """Return the latest refresh as (pk, refreshed_at, seconds): what the reads this process keeps
    are keyed by. Written out (statements.py): every queue and dashboard view asks."""
    row = statements.first_row(_stamp_sql())
    return None if row is None else (row[0], statements.aware(row[1]), row[2])


@functools.cache
def _stamp_sql() -> str:
    return (
        f"SELECT id, refreshed_at, seconds FROM {StatsRefresh._meta.db_table}"
        " ORDER BY refreshed_at DESC LIMIT 1"
    )


# Expected publication dates.


@dataclass(frozen=True)
class StageBasis:
    workdays: int
    samples: int
    source: str  # "province", "national" or "typical"


@dataclass(frozen=True)
class Expectation:
    date: date
    basis: str


def _forward_histograms(period_days: int) -> dict[int | None, dict[str, dict[int, int]]]:
    """Return {province_id (None: national): {stage: {workdays: visits}}} of forward stage exits."""
    histograms: dict[int | None, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    forward = Q()
    for stage, transition in FORWARD_EXIT.items():
        forward |= Q(stage=stage, left_by=transition)
    rows = StageVisitRollup.objects.filter(forward, period_days=period_days).values_list(
        "province_id", "stage", "workdays", "visits"
    )
    for province_id, stage, days, visits in rows:
        for key in (province_id, None):
            stage_counts = histograms[key][stage]
            stage_counts[days] = stage_counts.get(days, 0) + visits
    return {key: dict(stages) for key, stages in histograms.items()}


class PublicationEstimator:
    """Estimate publication dates from each province's median forward stage durations."""

    def __init__(
        self,
        *,
        period_days: int = BASIS_PERIOD,
        provinces: Iterable[Province] | None = None,
        stamp: tuple | None | Literal[False] = False,
    ):
        self.period_days = period_days
        self.provinces = {p.pk: p for p in (provinces if provinces is not None else Province.objects.all())}
        # The histograms change only with a refresh: one small query for the latest refresh
        # instead of reading and summing the rollups on every page (pass `stamp` if it was read).
        if stamp is False:
            stamp = refresh_stamp()
        self.histograms = _keep(("histograms", period_days), stamp, lambda: _forward_histograms(period_days))
        # Filings of one province that entered a stage on the same day share their estimate, and
        # so do the requests of one process until the histograms, the calendar or the language change.
        self._results: dict[tuple, Expectation] = _keep(
            ("estimates", period_days), (stamp, get_language(), workdays.calendar_version()), dict
        )

    def basis(self, province: Province, stage: str) -> StageBasis:
        own = self.histograms.get(province.pk, {}).get(stage, {})
        if sum(own.values()) >= MIN_SAMPLES:
            return StageBasis(percentile(own, 0.5) or 0, sum(own.values()), "province")
        if stage == State.BUREAU_REVIEW:
            return StageBasis(province.typical_bureau_workdays, 0, "typical")
        national = self.histograms.get(None, {}).get(stage, {})
        if sum(national.values()) >= MIN_SAMPLES:
            return StageBasis(percentile(national, 0.5) or 0, sum(national.values()), "national")
        return StageBasis(TYPICAL_WORKDAYS.get(stage, 0), 0, "typical")

    def expect(self, filing: Filing, *, today: date | None = None) -> Expectation | None:
        """Return when the open filing is expected to be published, with the basis in words."""
        if filing.state not in FORWARD_EXIT:
            return None
        return self.expect_for(self.province_of(filing), filing.state, filing.stage_entered_at, today=today)

    def province_of(self, filing: Filing) -> Province:
        """Return the filing's province from this estimator's table (loaded once per page)."""
        return self.provinces.get(filing.province_id) or filing.province

    def expect_for(
        self, province: Province, state: str, stage_entered_at: datetime, *, today: date | None = None
    ) -> Expectation | None:
        """Like expect(), from the three values it depends on (for rows fetched as values)."""
        if state not in FORWARD_EXIT:
            return None
        today = today or timezone.localdate()
        # What the estimate is computed from, the province's own figures included (it may be edited).
        key = (
            province.pk,
            province.typical_bureau_workdays,
            province.icp_abbreviation,
            state,
            local_day(stage_entered_at),
            today,
        )
        if key not in self._results:
            self._results[key] = self._expect(key, province)
        return self._results[key]

    def _expect(self, key: tuple, province: Province) -> Expectation:
        *_province, state, day, today = key
        remaining = DURATION_STAGES[DURATION_STAGES.index(state) :]
        for index, stage in enumerate(remaining):
            day = workdays.add_workdays(day, self.basis(province, stage).workdays)
            if index == 0 and day < today:
                # Already longer than usual in this stage: assume it ends today.
                day = today
        bureau = self.basis(province, State.BUREAU_REVIEW)
        if bureau.source == "province":
            text = _("按%(abbr)s近%(days)s天%(n)s个备案的中位数估算") % {
                "abbr": province.icp_abbreviation,
                "days": self.period_days,
                "n": bureau.samples,
            }
        else:
            text = _("%(abbr)s历史数据不足,按管局通常用时%(w)s个工作日估算") % {
                "abbr": province.icp_abbreviation,
                "w": bureau.workdays,
            }
        return Expectation(date=day, basis=text)

    def expect_many(self, filings: Iterable[Filing], *, today: date | None = None) -> dict[int, Expectation]:
        today = today or timezone.localdate()
        return {f.pk: e for f in filings if (e := self.expect(f, today=today)) is not None}


# Deadline lists (live, from the open-deadline indexes).

# How far ahead of its due time an open deadline counts as at risk.
AT_RISK_WINDOWS = {
    Deadline.Kind.PREREVIEW_OVERDUE: timedelta(days=1),
    Deadline.Kind.SMS_WINDOW: timedelta(hours=6),
    Deadline.Kind.BUREAU_REVIEW: timedelta(days=5),
    Deadline.Kind.PUBLIC_SECURITY: timedelta(days=5),
    Deadline.Kind.STALE_ENTRY: timedelta(days=7),
}
# The pre-review target (1 working day) is a goal, not a deadline whose passing is overdue.
LATE_KINDS = list(AT_RISK_WINDOWS)


def _deadline_rows(queryset):
    return queryset.select_related("filing__subject", "filing__province", "filing__reviewer")


# What the dashboard's deadline lists and their pages show of a row (the province comes from the
# estimator's table); the CSV/Excel exports and the API read the full rows.
LISTED_FIELDS = (
    "kind",
    "due_at",
    "provisional",
    "filing__state",
    "filing__province",
    "filing__stage_entered_at",
    "filing__subject__name",
)


def listed(deadlines):
    """Narrow a deadline list to what its pages show (3 tables joined for 12 columns, not 5 for 70)."""
    return deadlines.select_related(None).select_related("filing__subject").only(*LISTED_FIELDS)


def open_filings(*, state: str | None = None, province: Province | None = None):
    """Return open filings (optionally of one stage and province) in the order the dashboard lists them."""
    filings = Filing.objects.filter(state__in=[state] if state else OPEN_STATES)
    if province is not None:
        filings = filings.filter(province=province)
    return filings.select_related("subject", "province").order_by("state", "stage_entered_at", "id")


def overdue_deadlines(*, now: datetime | None = None, province: Province | None = None):
    now = now or timezone.now()
    rows = Deadline.objects.filter(closed_at__isnull=True, due_at__lt=now, kind__in=LATE_KINDS)
    if province is not None:
        rows = rows.filter(filing__province=province)
    return _deadline_rows(rows).order_by("due_at", "id")


def at_risk_deadlines(*, now: datetime | None = None, province: Province | None = None):
    now = now or timezone.now()
    horizon = max(AT_RISK_WINDOWS.values())
    within = Q()
    for kind, window in AT_RISK_WINDOWS.items():
        within |= Q(kind=kind, due_at__lt=now + window)
    rows = Deadline.objects.filter(within, closed_at__isnull=True, due_at__gte=now, due_at__lt=now + horizon)
    if province is not None:
        rows = rows.filter(filing__province=province)
    return _deadline_rows(rows).order_by("due_at", "id")


def provisional_deadlines(*, now: datetime | None = None, province: Province | None = None):
    rows = Deadline.objects.filter(closed_at__isnull=True, provisional=True)
    if province is not None:
        rows = rows.filter(filing__province=province)
    return _deadline_rows(rows).order_by("due_at", "id")


DEADLINE_LISTS = {
    "overdue": overdue_deadlines,
    "at-risk": at_risk_deadlines,
    "provisional": provisional_deadlines,
}


def deadline_counts(*, now: datetime | None = None) -> dict[str, int]:
    """Return how many open deadlines are overdue, at risk and provisional.

    Each count is an index-only range scan; one query per kind keeps every range narrow."""
    now = now or timezone.now()
    open_deadlines = Deadline.objects.filter(closed_at__isnull=True)
    return {
        "overdue": open_deadlines.filter(kind__in=LATE_KINDS, due_at__lt=now).count(),
        "at_risk": sum(
            open_deadlines.filter(kind=kind, due_at__gte=now, due_at__lt=now + window).count()
            for kind, window in AT_RISK_WINDOWS.items()
        ),
        "provisional": open_deadlines.filter(provisional=True).count(),
    }
