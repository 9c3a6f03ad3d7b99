"""The queue page's estimator (PublicationEstimator.for_every_province): every province and the
period's forward medians in one statement, the same as the estimator reads them in two."""

import pytest

from filings.kinds.states import State
from filings.models import Province, StageDuration
from filings.reads.estimates import BASIS_PERIOD, SHOWN_PROVINCE_FIELDS, PublicationEstimator

pytestmark = pytest.mark.django_db


def _duration(province, stage, *, median, visits, period=BASIS_PERIOD):
    StageDuration.objects.create(
        period_days=period,
        province=province,
        stage=stage,
        visits=visits,
        median_workdays=median,
        p90_workdays=median,
        forward_visits=visits,
        forward_median_workdays=median,
    )


def test_every_province_and_the_medians_come_in_one_statement(django_assert_num_queries):
    guangdong, beijing = Province.objects.get(code="44"), Province.objects.get(code="11")
    _duration(guangdong, State.BUREAU_REVIEW, median=7, visits=40)
    _duration(None, State.PROVIDER_REVIEW, median=2, visits=300)
    _duration(beijing, State.BUREAU_REVIEW, median=3, visits=0)  # no forward visits: not read
    _duration(beijing, State.BUREAU_REVIEW, median=9, visits=50, period=30)  # another period
    with django_assert_num_queries(1):
        folded = PublicationEstimator.for_every_province()
    apart = PublicationEstimator()
    assert folded.medians == apart.medians and len(folded.medians) == 2
    codes = [province.code for province in folded.provinces.values()]
    assert codes == sorted(Province.objects.values_list("code", flat=True))
    for pk, province in folded.provinces.items():
        for field in SHOWN_PROVINCE_FIELDS:
            assert getattr(province, field) == getattr(apart.provinces[pk], field), field
    assert folded.basis(guangdong, State.BUREAU_REVIEW).workdays == 7
    assert folded.basis(beijing, State.PROVIDER_REVIEW).source == "national"
    assert folded.basis(beijing, State.BUREAU_REVIEW).source == "typical"
