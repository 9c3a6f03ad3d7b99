"""Expected publication dates of open filings, from the summaries' median stage durations."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import IntegerField, Q, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import workdays
from filings.models import Filing, Province, StageVisitRollup
from filings.states import State
from filings.summaries import DURATION_STAGES, local_day, percentile

# Estimates use this period's medians, and a province's own history only when it holds at least
# this many visits of a stage.
BASIS_PERIOD = 90
MIN_SAMPLES = 20
# The exit of each stage on the way to publication.
FORWARD_EXIT = {
    State.ENTRY: "submit",
    State.PROVIDER_REVIEW: "pass_review",
    State.SMS_VERIFICATION: "complete_sms",
    State.BUREAU_REVIEW: "approve",
}
# Typical working days of the stages before the bureau when there is no history (domain.md).
TYPICAL_WORKDAYS = {State.ENTRY: 2, State.PROVIDER_REVIEW: 1, State.SMS_VERIFICATION: 0}


@dataclass(frozen=True)
class StageBasis:
    workdays: int
    samples: int
    source: str  # "province", "national" or "typical"


@dataclass(frozen=True)
class Expectation:
    date: date
    basis: str


def _forward_histograms(
    period_days: int, province_ids: Iterable[int]
) -> dict[int | None, dict[str, dict[int, int]]]:
    """Return {province_id (None: national): {stage: {workdays: visits}}} of forward stage exits,
    for the given provinces and the whole country (summed by the database)."""
    histograms: dict[int | None, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    forward = Q()
    for stage, transition in FORWARD_EXIT.items():
        forward |= Q(stage=stage, left_by=transition)
    rollups = StageVisitRollup.objects.filter(forward, period_days=period_days).order_by()
    own = rollups.filter(province_id__in=list(province_ids)).values_list(
        "province_id", "stage", "workdays", "visits"
    )
    national = (
        rollups.values("stage", "workdays")
        .annotate(total=Sum("visits"), country=Value(None, output_field=IntegerField()))
        .values_list("country", "stage", "workdays", "total")
    )
    # One query: the given provinces' rows, then the country's sums (province None).
    for province_id, stage, days, visits in own.union(national, all=True):
        stage_counts = histograms[province_id][stage]
        stage_counts[days] = stage_counts.get(days, 0) + visits
    return {key: dict(stages) for key, stages in histograms.items()}


class PublicationEstimator:
    """Estimate publication dates from each province's median forward stage durations.

    Knows the provinces it is given (all by default): a page passes those of its rows."""

    def __init__(self, *, period_days: int = BASIS_PERIOD, provinces: Iterable[Province] | None = None):
        self.period_days = period_days
        self.provinces = {p.pk: p for p in (provinces if provinces is not None else Province.objects.all())}
        self.histograms = _forward_histograms(period_days, self.provinces)
        # Filings of one province that entered a stage on the same day share their estimate.
        self._results: dict[tuple, Expectation] = {}
        self._bases: dict[tuple, StageBasis] = {}

    def basis(self, province: Province, stage: str) -> StageBasis:
        key = (province.pk, stage)
        if key not in self._bases:
            self._bases[key] = self._basis(province, stage)
        return self._bases[key]

    def _basis(self, province: Province, stage: str) -> StageBasis:
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
        key = (province.pk, state, local_day(stage_entered_at), today)
        if key not in self._results:
            self._results[key] = self._expect(province, state, key[2], today)
        return self._results[key]

    def _expect(self, province: Province, state: str, day: date, today: date) -> Expectation:
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
