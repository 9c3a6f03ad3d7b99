"""The statistics summaries: their refresh from the filing history and what their rows mean.

The filing history (FilingEvent) is the source of truth. `refresh_summaries` turns it into small
day-keyed tables (rebuilding only recent days on each run) and then into per-period rollups, so
the dashboard reads a few hundred rows whatever the number of filings. Durations are counted in
working days on the official calendar; percentiles use the nearest-rank method.
"""

import math
import time
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import models, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from filings.kinds.states import OPEN_STATES, STAGES, State
from filings.models import (
    Filing,
    FilingEvent,
    ReasonDay,
    ReasonRollup,
    StageCount,
    StageDuration,
    StageEntryDay,
    StageVisitDay,
    StatsRefresh,
    WeeklyFlow,
)
from filings.reads.summary_terms import (
    FORWARD_EXIT,
    PERIODS,
    REASON_TRANSITIONS,
    WEEKS_KEPT,
    day_start,
    local_day,
)
from filings.rules import workdays
from filings.services import bulk_rows

_BATCH = 5000


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


def last_refresh() -> StatsRefresh | None:
    """Return the latest refresh of the summaries, or None before the first."""
    return StatsRefresh.objects.order_by("-refreshed_at").first()


def refresh_summaries(*, full: bool = False, now: datetime | None = None) -> StatsRefresh:
    """Rebuild the summaries: day tables from the day before the last refresh on (all when `full`),
    then the stage counts, each period's stage durations and reasons, and the weekly flows."""
    started = time.monotonic()
    now = now or timezone.now()
    last = last_refresh()
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

    bulk_rows.Table(StageVisitDay, ("day", "province_id", "stage", "left_by", "workdays", "visits")).write(
        [(*key, n) for key, n in visits.items()]
    )
    bulk_rows.Table(StageEntryDay, ("day", "province_id", "stage", "entries")).write(
        [(*key, n) for key, n in entries.items()]
    )
    bulk_rows.Table(ReasonDay, ("day", "province_id", "transition", "key", "reason", "count")).write(
        [(*key, text, n) for key, (text, n) in reasons.items()]
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
    StageDuration.objects.all().delete()
    ReasonRollup.objects.all().delete()
    for period in PERIODS:
        first_day = today - timedelta(days=period - 1)
        visits = (
            StageVisitDay.objects.filter(day__gte=first_day)
            .values_list("province_id", "stage", "left_by", "workdays")
            .annotate(n=Sum("visits"))
        )
        StageDuration.objects.bulk_create(_stage_durations(period, visits), batch_size=_BATCH)
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


def _stage_durations(period: int, visits) -> list[StageDuration]:
    """Return a period's stage durations, by province and for the country, from its visits
    (province, stage, exit, working days, how many): the median and 90th percentile of all visits,
    the median of the forward ones, and the exits."""
    every: dict[tuple[int | None, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    forward: dict[tuple[int | None, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    exits: dict[tuple[int | None, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for province_id, stage, left_by, days, n in visits:
        for key in ((province_id, stage), (None, stage)):
            every[key][days] += n
            exits[key][left_by] += n
            if left_by == FORWARD_EXIT.get(stage):
                forward[key][days] += n
    return [
        StageDuration(
            period_days=period,
            province_id=province_id,
            stage=stage,
            visits=sum(histogram.values()),
            median_workdays=percentile(histogram, 0.5),
            p90_workdays=percentile(histogram, 0.9),
            forward_visits=sum(forward[province_id, stage].values()),
            forward_median_workdays=percentile(forward[province_id, stage], 0.5),
            exits=dict(exits[province_id, stage]),
        )
        for (province_id, stage), histogram in every.items()
    ]


def _rebuild_weekly_flows(today: date) -> None:
    first_week = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS_KEPT - 1)
    flows: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in _weekly_totals(StageEntryDay, "entries", since=first_week):
        flows[(_as_date(row["week"]), row["stage"])][0] += row["n"]
    for row in _weekly_totals(StageVisitDay, "visits", since=first_week):
        flows[(_as_date(row["week"]), row["stage"])][1] += row["n"]
    WeeklyFlow.objects.all().delete()
    WeeklyFlow.objects.bulk_create(
        WeeklyFlow(week=week, stage=stage, entered=n_in, left=n_out)
        for (week, stage), (n_in, n_out) in flows.items()
    )


def _weekly_totals(day_summary: type[models.Model], count: str, *, since: date) -> QuerySet:
    """Return a per-day summary's count summed by week (Monday's date) and stage, from ``since`` on."""
    return (
        day_summary.objects.filter(day__gte=since)
        .annotate(week=TruncWeek("day"))
        .values("week", "stage")
        .annotate(n=Sum(count))
    )


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
