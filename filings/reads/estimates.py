"""Expected publication dates of open filings, from the summaries' median stage durations."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.databases import replica_alias
from filings.kinds.states import State
from filings.models import Filing, Province, StageDuration
from filings.reads.summary_terms import DURATION_STAGES, FORWARD_EXIT, local_day
from filings.rules import workdays

# Estimates use this period's medians, and a province's own history only when it holds at least
# this many visits of a stage.
BASIS_PERIOD = 90
MIN_SAMPLES = 20
# What an estimate reads of a province (besides its id).
PROVINCE_FIELDS = ("icp_abbreviation", "short_name", "typical_bureau_workdays")
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


def _forward_medians(
    period_days: int, province_ids: Iterable[int]
) -> dict[tuple[int | None, str], StageBasis]:
    """Return {(province_id, or None for the country, stage): its forward median} for the given provinces.

    Summaries rebuilt every few minutes: read on the replica when there is one."""
    durations = (
        StageDuration.objects.using(replica_alias())
        .filter(
            Q(province_id__in=list(province_ids)) | Q(province__isnull=True),
            period_days=period_days,
            forward_visits__gt=0,
        )
        .values_list("province_id", "stage", "forward_median_workdays", "forward_visits")
    )
    return {
        (province_id, stage): StageBasis(workdays, visits, "national" if province_id is None else "province")
        for province_id, stage, workdays, visits in durations
    }


# What a page of every province shows of each (its filter's options) besides what an estimate reads,
# in the model's order (Model.from_db takes the values in that order).
SHOWN_PROVINCE_FIELDS = tuple(
    field.attname
    for field in Province._meta.concrete_fields
    if field.attname in {"id", "code", "name", *PROVINCE_FIELDS}
)
# Every province and the period's forward medians in one statement: a queue page needs both, and
# two statements (the second with an IN of every province) cost more to build than to run. The
# two kinds of row are told apart by the code, which only a province's row has.
_PROVINCES_AND_MEDIANS = (
    "SELECT {shown}, NULL, NULL, NULL FROM {province} UNION ALL "
    "SELECT province_id, {blanks}, stage, forward_median_workdays, forward_visits FROM {duration} "
    "WHERE period_days = %s AND forward_visits > 0"
).format(
    shown=", ".join(SHOWN_PROVINCE_FIELDS),
    province=Province._meta.db_table,
    blanks=", ".join(["NULL"] * (len(SHOWN_PROVINCE_FIELDS) - 1)),
    duration=StageDuration._meta.db_table,
)


class PublicationEstimator:
    """Estimate publication dates from each province's median forward stage durations.

    Knows the provinces it is given (all by default): a page passes those of its rows."""

    def __init__(
        self,
        *,
        period_days: int = BASIS_PERIOD,
        provinces: Iterable[Province] | None = None,
        medians: dict[tuple[int | None, str], StageBasis] | None = None,
    ):
        self.period_days = period_days
        self.provinces = {p.pk: p for p in (provinces if provinces is not None else Province.objects.all())}
        self.medians = medians if medians is not None else _forward_medians(period_days, self.provinces)
        # Filings of one province that entered a stage on the same day share their estimate.
        self._results: dict[tuple, Expectation] = {}
        self._bases: dict[tuple, StageBasis] = {}

    @classmethod
    def for_every_province(cls, *, period_days: int = BASIS_PERIOD) -> "PublicationEstimator":
        """Return an estimator knowing every province, ordered by code, each read with
        SHOWN_PROVINCE_FIELDS, the provinces and the medians in one statement.

        Summaries rebuilt every few minutes, provinces edited a few times a year: read on the
        replica when there is one."""
        alias = replica_alias()
        with connections[alias].cursor() as cursor:
            cursor.execute(_PROVINCES_AND_MEDIANS, [period_days])
            rows = cursor.fetchall()
        width = len(SHOWN_PROVINCE_FIELDS)
        provinces = sorted(
            (
                Province.from_db(alias, SHOWN_PROVINCE_FIELDS, row[:width])
                for row in rows
                if row[1] is not None
            ),
            key=lambda province: province.code,
        )
        medians = {
            (province_id, stage): StageBasis(
                workdays, visits, "national" if province_id is None else "province"
            )
            for province_id, *_shown, stage, workdays, visits in (row for row in rows if row[1] is None)
        }
        return cls(period_days=period_days, provinces=provinces, medians=medians)

    def basis(self, province: Province, stage: str) -> StageBasis:
        key = (province.pk, stage)
        if key not in self._bases:
            self._bases[key] = self._basis(province, stage)
        return self._bases[key]

    def _basis(self, province: Province, stage: str) -> StageBasis:
        own = self.medians.get((province.pk, stage))
        if own is not None and own.samples >= MIN_SAMPLES:
            return own
        if stage == State.BUREAU_REVIEW:
            return StageBasis(province.typical_bureau_workdays, 0, "typical")
        national = self.medians.get((None, stage))
        if national is not None and national.samples >= MIN_SAMPLES:
            return national
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
            text = _("按%(province)s近%(days)s天%(n)s个备案的中位数估算") % {
                "province": _(province.short_name),
                "days": self.period_days,
                "n": bureau.samples,
            }
        else:
            text = _("%(province)s历史数据不足,按管局通常用时%(w)s个工作日估算") % {
                "province": _(province.short_name),
                "w": bureau.workdays,
            }
        return Expectation(date=day, basis=text)
