"""What the manager dashboard reads: period statistics, stage counts and flows from the summaries,
the live deadline lists (overdue, at risk, provisional) with the totals the minute's alert scan
counted, and open filings.

Every read here may lag the primary by a moment, so all of them go to the read replica when one is
named (config.databases)."""

import functools
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connections
from django.db.models import CharField, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from config.databases import replica_alias
from filings.kinds.states import OPEN_STATES, State
from filings.models import (
    AlertScan,
    Deadline,
    Filing,
    Province,
    ReasonRollup,
    RejectionReason,
    StageCount,
    StageDuration,
    Transition,
    WeeklyFlow,
)
from filings.reads import keyset, summary_terms
from filings.reads.summary_terms import DURATION_STAGES
from filings.rules import durations as duration_rules

DEFAULT_PERIOD = 90


@dataclass(frozen=True)
class Duration:
    visits: int
    median: int | None
    p90: int | None


NO_VISITS = Duration(visits=0, median=None, p90=None)


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
        return self._share(State.PROVIDER_REVIEW, Transition.RETURN_TO_ENTRY)

    @property
    def rejected_share(self) -> float | None:
        """Bureau decisions that rejected the filing, out of all bureau-review exits."""
        return self._share(State.BUREAU_REVIEW, Transition.REJECT)

    @property
    def decisions(self) -> int:
        return sum(self.exits.get(State.BUREAU_REVIEW, {}).values())


@dataclass
class PeriodStats:
    period_days: int
    provinces: list[ProvinceStats]
    national: ProvinceStats | None
    top_reasons: list[tuple[str, int]] = field(default_factory=list)


def _reason_words(stored: dict[str, tuple[str, str | None]]) -> dict[str, str]:
    """Return each reason key's words in the active language from (the words stored, the catalogue's
    words): a catalogue reason's from the catalogue (its seeded texts are msgids, with the current
    waiting times), a typed reason as it was typed."""
    with_terms = any(catalogue and "{" in catalogue for _, catalogue in stored.values())
    durations = duration_rules.rules() if with_terms else {}

    def said(text: str, catalogue: str | None) -> str:
        if not catalogue:
            return text
        if "{" in catalogue:
            return str(duration_rules.catalogue_words(catalogue, durations))
        return gettext(catalogue)

    return {key: said(text, catalogue) for key, (text, catalogue) in stored.items()}


def period_stats(
    period_days: int = DEFAULT_PERIOD, *, provinces: Iterable[Province] | None = None
) -> PeriodStats:
    """Return durations, exit shares and top reasons per province (and nationally) over a period."""
    if period_days not in summary_terms.PERIODS:
        raise ValueError(f"period must be one of {summary_terms.PERIODS}")
    provinces = list(provinces if provinces is not None else Province.objects.using(replica_alias()).all())
    durations: dict[int | None, dict[str, Duration]] = defaultdict(dict)
    exits: dict[int | None, dict[str, dict[str, int]]] = defaultdict(dict)
    for row in (
        StageDuration.objects.using(replica_alias())
        .filter(period_days=period_days)
        .values_list("province_id", "stage", "visits", "median_workdays", "p90_workdays", "exits")
    ):
        province_id, stage, visits, median, p90, stage_exits = row
        durations[province_id][stage] = Duration(visits=visits, median=median, p90=p90)
        exits[province_id][stage] = stage_exits
    reasons: dict[int, list[tuple[str, int]]] = defaultdict(list)
    national_reasons: dict[str, int] = defaultdict(int)
    # The catalogue's words for a chosen reason come in the same read (a typed reason has none).
    catalogue_reason = RejectionReason.objects.filter(code=OuterRef("key")).values("reason")[:1]
    reason_rows = list(
        ReasonRollup.objects.using(replica_alias())
        .filter(period_days=period_days)
        .order_by("province_id", "-count", "key")
        .values_list("province_id", "key", "reason", "count", Subquery(catalogue_reason))
    )
    words = _reason_words({key: (reason, catalogue) for _, key, reason, _, catalogue in reason_rows})
    for province_id, key, _reason, count, _catalogue in reason_rows:
        reasons[province_id].append((words[key], count))
        national_reasons[words[key]] += count
    result = []
    for province in provinces:
        result.append(
            ProvinceStats(
                province=province,
                durations={s: durations[province.pk].get(s, NO_VISITS) for s in DURATION_STAGES},
                exits=exits[province.pk],
                top_reasons=reasons[province.pk][:3],
            )
        )
    national = ProvinceStats(
        province=None,  # type: ignore[arg-type]
        durations={s: durations[None].get(s, NO_VISITS) for s in DURATION_STAGES},
        exits=exits[None],
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
    provinces = list(provinces if provinces is not None else Province.objects.using(replica_alias()).all())
    by_province: dict[int, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = dict.fromkeys(State.values, 0)
    awaiting = 0
    awaiting_by_province: dict[int, int] = defaultdict(int)
    for province_id, state, n, waiting in StageCount.objects.using(replica_alias()).values_list(
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


def weekly_flows(weeks: int = 12, *, today: date | None = None) -> list[dict]:
    """Return the last `weeks` weeks: [{"week": monday, "flows": {stage: (entered, left)}}]."""
    today = today or timezone.localdate()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    by_week: dict[date, dict[str, tuple[int, int]]] = {first + timedelta(weeks=i): {} for i in range(weeks)}
    for week, stage, entered, left in (
        WeeklyFlow.objects.using(replica_alias())
        .filter(week__gte=first)
        .values_list("week", "stage", "entered", "left")
    ):
        if week in by_week:
            by_week[week][stage] = (entered, left)
    return [{"week": week, "flows": flows} for week, flows in sorted(by_week.items())]


# Deadline lists (live, from the open-deadline indexes).

# How far ahead of its due time an open deadline counts as at risk.
AT_RISK_WINDOWS = {
    Deadline.Kind.PREREVIEW_OVERDUE: timedelta(days=1),
    Deadline.Kind.SMS_WINDOW: timedelta(hours=6),
    Deadline.Kind.FACE_CHECK: timedelta(hours=6),
    Deadline.Kind.BUREAU_REVIEW: timedelta(days=5),
    Deadline.Kind.PUBLIC_SECURITY: timedelta(days=5),
    Deadline.Kind.STALE_ENTRY: timedelta(days=7),
}
# The pre-review target (1 working day) is a goal, not a deadline whose passing is overdue.
LATE_KINDS = list(AT_RISK_WINDOWS)


# What a deadline list shows of each row, in its page and the API alike; the province comes from
# the page's estimator, which holds every province (one join fewer to plan).
DEADLINE_ROW_FIELDS = (
    "kind",
    "workdays",
    "due_at",
    "provisional",
    "filing__state",
    "filing__province_id",
    "filing__stage_entered_at",
    "filing__subject__name",
    "filing__reviewer__username",
    "filing__reviewer__display_name",
)


# What a deadline list's web page shows of each row, read as plain values: building each row's
# deadline, filing and subject as model instances cost more than the query that reads them. The
# province is the deadline's copy of its filing's, the one a province's list is narrowed by.
DEADLINE_ROW_VALUES = (
    "id",
    "kind",
    "workdays",
    "due_at",
    "provisional",
    "filing_id",
    "filing__state",
    "province_id",
    "filing__stage_entered_at",
    "filing__subject__name",
)


def _deadline_rows(queryset):
    return queryset.select_related("filing__subject", "filing__reviewer").only(*DEADLINE_ROW_FIELDS)


OPEN_FILING_ORDER = ("state", "stage_entered_at", "id")
# What the open-filing list's web page shows of each filing, read as plain values (see above).
OPEN_FILING_VALUES = ("id", "state", "stage_entered_at", "filing_type", "province_id", "subject__name")


def open_filings(
    *, state: str | None = None, province: Province | None = None, filing_type: str | None = None
):
    """Return open filings (optionally of one stage, province and type) in the order the dashboard lists them."""
    filings = Filing.objects.using(replica_alias()).filter(state__in=[state] if state else OPEN_STATES)
    if filing_type:
        filings = filings.filter(filing_type=filing_type)
    if province is not None:
        filings = filings.filter(province=province)
    return filings.select_related("subject", "province").order_by(*OPEN_FILING_ORDER)


def open_filings_page(
    *,
    state: str | None = None,
    province: Province | None = None,
    filing_type: str | None = None,
    after: keyset.Position | None,
    size: int,
    values: tuple[str, ...] = (),
) -> keyset.Page:
    """Return a page of open_filings() from a position: one stage at a time, so that each query
    walks the (state, stage_entered_at, id) index instead of sorting every open filing. With
    `values` (which must hold the order's fields), the rows are dicts of those fields."""
    states = [state] if state else list(OPEN_STATES)
    if after is not None and after.values[0] in states:
        states = states[states.index(after.values[0]) :]
    rows: list = []
    within_state = OPEN_FILING_ORDER[1:]
    for current in states:
        # Within one stage the position is (stage_entered_at, id): the index range starts there.
        start = (
            keyset.Position(after.values[1:]) if after is not None and after.values[0] == current else None
        )
        filings = open_filings(state=current, province=province, filing_type=filing_type)
        rows += keyset.rows_after(
            filings.values(*values) if values else filings,
            order=within_state,
            after=start,
            limit=size + 1 - len(rows),
        )
        if len(rows) > size:
            break
    return keyset.page_of(rows, order=OPEN_FILING_ORDER, size=size, first=after is None)


def overdue_deadlines(*, now: datetime | None = None, province: Province | None = None):
    now = now or timezone.now()
    rows = Deadline.objects.using(replica_alias()).filter(
        closed_at__isnull=True, due_at__lt=now, kind__in=LATE_KINDS
    )
    if province is not None:
        rows = rows.filter(province=province)
    return _deadline_rows(rows).order_by("due_at", "id")


def at_risk_deadlines(*, now: datetime | None = None, province: Province | None = None):
    now = now or timezone.now()
    horizon = max(AT_RISK_WINDOWS.values())
    within = Q()
    for kind, window in AT_RISK_WINDOWS.items():
        within |= Q(kind=kind, due_at__lt=now + window)
    rows = Deadline.objects.using(replica_alias()).filter(
        within, closed_at__isnull=True, due_at__gte=now, due_at__lt=now + horizon
    )
    if province is not None:
        rows = rows.filter(province=province)
    return _deadline_rows(rows).order_by("due_at", "id")


def provisional_deadlines(*, now: datetime | None = None, province: Province | None = None):
    rows = Deadline.objects.using(replica_alias()).filter(closed_at__isnull=True, provisional=True)
    if province is not None:
        rows = rows.filter(province=province)
    return _deadline_rows(rows).order_by("due_at", "id")


DEADLINE_LISTS = {
    "overdue": overdue_deadlines,
    "at-risk": at_risk_deadlines,
    "provisional": provisional_deadlines,
}
DEADLINE_LIST_TITLES = {
    "overdue": gettext_lazy("超期"),
    "at-risk": gettext_lazy("临近截止"),
    "provisional": gettext_lazy("暂定截止时间(待官方日历)"),
}


def _count(rows) -> Subquery:
    """Return a scalar subquery counting the rows (COUNT written as a plain function: no GROUP BY).

    COUNT(*) rather than COUNT(1): no argument to evaluate for each index entry, and no parameter."""
    return Subquery(
        rows.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"),
        output_field=IntegerField(),
    )


@dataclass
class DeadlinePreview:
    total: int
    rows: list[dict]  # the list's first rows, as DEADLINE_ROW_VALUES
    # The time of the alert scan that counted the total; None when it was counted with the rows.
    counted_at: datetime | None = None


def _totals(now: datetime) -> dict[str, Combinable]:
    """Return, per deadline list, a scalar subquery counting its rows: index-only range scans of
    the open deadlines of each kind (a range per kind keeps every range narrow), the kinds at risk
    for as long a window counted by one subquery."""
    open_deadlines = Deadline.objects.filter(closed_at__isnull=True)
    kinds_by_window = defaultdict(list)
    for kind, window in AT_RISK_WINDOWS.items():
        kinds_by_window[window].append(kind)
    at_risk = [
        _count(open_deadlines.filter(kind__in=kinds, due_at__gte=now, due_at__lt=now + window))
        for window, kinds in kinds_by_window.items()
    ]
    return {
        "overdue": _count(open_deadlines.filter(kind__in=LATE_KINDS, due_at__lt=now)),
        "at-risk": functools.reduce(operator.add, at_risk),
        "provisional": _count(open_deadlines.filter(provisional=True)),
    }


# The AlertScan field that keeps each deadline list's total.
SCAN_TOTAL_FIELDS = {
    "overdue": "overdue_total",
    "at-risk": "at_risk_total",
    "provisional": "provisional_total",
}
# A scan's totals are shown for this long; an older latest scan means the scheduler is down, and the
# dashboard counts again rather than show a stale number.
SCAN_TOTALS_FRESH_FOR = timedelta(minutes=5)


def scan_totals(*, now: datetime) -> dict[str, Combinable]:
    """Return the expressions counting each deadline list at `now`, keyed by the AlertScan field
    that keeps the total: the alert scan stores them with its row, in the statement that inserts it."""
    return {SCAN_TOTAL_FIELDS[slug]: total for slug, total in _totals(now).items()}


@dataclass(frozen=True)
class ScanTotals:
    counted_at: datetime
    totals: dict[str, int]  # by deadline list


def latest_scan_totals(*, now: datetime) -> ScanTotals | None:
    """Return the totals of the latest alert scan up to `now` that kept them, unless it is older
    than SCAN_TOTALS_FRESH_FOR (then None: the scheduler is down, or no scan has run yet)."""
    latest = (
        AlertScan.objects.using(replica_alias())
        .filter(
            scanned_until__gt=now - SCAN_TOTALS_FRESH_FOR,
            scanned_until__lte=now,
            overdue_total__isnull=False,
        )
        .order_by("-scanned_until")
        .values_list("scanned_until", *SCAN_TOTAL_FIELDS.values())
        .first()
    )
    if latest is None:
        return None
    counted_at, *totals = latest
    return ScanTotals(counted_at=counted_at, totals=dict(zip(SCAN_TOTAL_FIELDS, totals, strict=True)))


def deadline_previews(*, now: datetime | None = None, size: int) -> dict[str, DeadlinePreview]:
    """Return each deadline list's first `size` rows and how many rows it holds.

    A list of fewer than `size` rows holds those rows. A longer list's total is the one the latest
    alert scan counted (with the scan's time) while that scan is fresh; otherwise every row carries
    its list's total, counted live (an uncorrelated subquery: counted once per list, and not at all
    for a list with no rows, whose total is then 0, since the rows and the count share one
    snapshot). The three lists are one UNION ALL where the database allows a LIMIT inside it."""
    now = now or timezone.now()
    scan = latest_scan_totals(now=now)
    live_totals = _totals(now) if scan is None else None
    parts = []
    for slug, rows in DEADLINE_LISTS.items():
        annotations: dict[str, Combinable] = {"list_slug": Value(slug, output_field=CharField())}
        if live_totals is not None:
            annotations["list_total"] = live_totals[slug]
        parts.append(rows(now=now).annotate(**annotations).values(*DEADLINE_ROW_VALUES, *annotations)[:size])
    if connections[replica_alias()].features.supports_slicing_ordering_in_compound:
        found = list(parts[0].union(*parts[1:], all=True))
    else:  # SQLite (make run) allows no LIMIT inside a UNION
        found = [row for part in parts for row in part]
    previews = {slug: DeadlinePreview(total=0, rows=[]) for slug in DEADLINE_LISTS}
    for row in found:
        preview = previews[row.pop("list_slug")]
        preview.total = row.pop("list_total", 0)
        preview.rows.append(row)
    for slug, preview in previews.items():
        # A UNION ALL keeps each part's order in practice, though SQL does not promise it.
        preview.rows.sort(key=lambda row: (row["due_at"], row["id"]))
        if scan is None:
            continue  # counted with the rows
        if len(preview.rows) < size:  # these rows are the whole list
            preview.total = len(preview.rows)
        else:
            # A full preview shows at least `size` rows: a total counted a minute ago, before some
            # of them fell due, never says fewer than the rows under it.
            preview.total, preview.counted_at = max(scan.totals[slug], len(preview.rows)), scan.counted_at
    return previews
