"""Dashboard statistics against a small history with explicit timestamps, computed by hand.

November 2026 has no holidays: weekends are 7-8, 14-15, 21-22 and 28-29. Durations count the
working days in (entered day, left day]."""

from datetime import datetime

import pytest
from django.utils import translation

from filings.jobs import summaries
from filings.kinds.states import State
from filings.models import FilingEvent, Province, StageDuration
from filings.reads import dashboard as dashboard_stats
from filings.reads import estimates, summary_terms
from filings.reads.dashboard import Duration
from filings.reads.estimates import PublicationEstimator
from filings.rules.workdays import SHANGHAI
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)
S = State


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def _filing(code, state, steps, **fields):
    """Create a filing in `state` and its history: steps are (transition, from, to, at, reasons)."""
    subject = factories.SubjectFactory(province=Province.objects.get(code=code))
    filing = factories.FilingFactory(
        subject=subject, province=subject.province, state=state, stage_entered_at=steps[-1][3], **fields
    )
    for transition, from_state, to_state, moment, *reasons in steps:
        FilingEvent.objects.create(
            filing=filing,
            at=moment,
            transition=transition,
            from_state=from_state,
            to_state=to_state,
            reasons=reasons[0] if reasons else [],
        )
    return filing


def _path(created, submitted, passed, verified, decided, decision="approve", reasons=None):
    steps = [
        ("create", "", S.ENTRY, created),
        ("submit", S.ENTRY, S.PROVIDER_REVIEW, submitted),
        ("pass_review", S.PROVIDER_REVIEW, S.SMS_VERIFICATION, passed),
        ("complete_sms", S.SMS_VERIFICATION, S.BUREAU_REVIEW, verified),
    ]
    if decided:
        to_state = S.PUBLISHED if decision == "approve" else S.ENTRY
        steps.append((decision, S.BUREAU_REVIEW, to_state, decided, reasons or []))
    return steps


LICENCE = {
    "field": "materials.business_licence",
    "reason": "营业执照扫描件不清晰",
    "suggested_fix": "重扫",
    "code": "licence-scan-unclear",
}
NAME = {"field": "website.name", "reason": "网站名称与内容不符", "suggested_fix": "改名", "code": ""}


@pytest.fixture
def history(db):
    # 粤 F1: entry 2, pre-review 1, SMS 0, bureau 7 (11-05 → 11-16).
    _filing(
        "44",
        S.PUBLISHED,
        _path(at(11, 2), at(11, 4), at(11, 5), at(11, 5, 15), at(11, 16)),
        icp_number="粤ICP备2026000001号",
    )
    # 粤 F2: entry 0, returned after 2, entry 3, pre-review 1, SMS 1, rejected after 7 (11-11 → 11-20).
    _filing(
        "44",
        S.ENTRY,
        [
            ("create", "", S.ENTRY, at(11, 2, 9)),
            ("submit", S.ENTRY, S.PROVIDER_REVIEW, at(11, 2, 11)),
            ("return_to_entry", S.PROVIDER_REVIEW, S.ENTRY, at(11, 4), [LICENCE]),
            ("edit", S.ENTRY, S.ENTRY, at(11, 5)),
            ("submit", S.ENTRY, S.PROVIDER_REVIEW, at(11, 9)),
            ("pass_review", S.PROVIDER_REVIEW, S.SMS_VERIFICATION, at(11, 10)),
            ("complete_sms", S.SMS_VERIFICATION, S.BUREAU_REVIEW, at(11, 11)),
            ("reject", S.BUREAU_REVIEW, S.ENTRY, at(11, 20), [NAME]),
        ],
    )
    # 粤 F3: entry 1, pre-review 0, SMS 0, bureau 3 (11-03 → 11-06).
    _filing(
        "44",
        S.PUBLISHED,
        _path(at(11, 2), at(11, 3), at(11, 3, 14), at(11, 3, 16), at(11, 6)),
        icp_number="粤ICP备2026000003号",
    )
    # 粤 F5: everything on Friday 10-30, bureau 12 (10-30 → 11-17).
    _filing(
        "44",
        S.PUBLISHED,
        _path(at(10, 30, 9), at(10, 30, 10), at(10, 30, 11), at(10, 30, 12), at(11, 17)),
        icp_number="粤ICP备2026000005号",
    )
    # 京 F4: entry 1, pre-review 2, SMS 0, bureau 10 (11-12 → 11-26).
    _filing(
        "11",
        S.PUBLISHED,
        _path(at(11, 9), at(11, 10), at(11, 12), at(11, 12, 15), at(11, 26)),
        icp_number="京ICP备2026000004号",
    )
    summaries.refresh_summaries(full=True, now=NOW)


def _by_code(period_stats):
    return {ps.province.code: ps for ps in period_stats.provinces}


def test_durations_median_and_p90_per_province_and_nationally(history):
    result = dashboard_stats.period_stats(30)
    guangdong = _by_code(result)["44"]
    # Bureau: 3, 7, 7, 12 → median is the 2nd value (7), P90 the 4th (12).
    assert guangdong.durations[S.BUREAU_REVIEW] == Duration(visits=4, median=7, p90=12)
    # Pre-review exits: 1, 2, 1, 0, 0 → sorted 0 0 1 1 2: median 1, P90 2.
    assert guangdong.durations[S.PROVIDER_REVIEW] == Duration(visits=5, median=1, p90=2)
    # Entry exits: 2, 0, 3, 1, 0 → median 1, P90 3.
    assert guangdong.durations[S.ENTRY] == Duration(visits=5, median=1, p90=3)
    beijing = _by_code(result)["11"]
    assert beijing.durations[S.BUREAU_REVIEW] == Duration(visits=1, median=10, p90=10)
    # Nationally: 3, 7, 7, 10, 12 → median 7, P90 12.
    assert result.national.durations[S.BUREAU_REVIEW] == Duration(visits=5, median=7, p90=12)
    assert _by_code(result)["31"].durations[S.BUREAU_REVIEW] == Duration(visits=0, median=None, p90=None)


def test_returned_and_rejected_shares_and_top_reasons(history):
    guangdong = _by_code(dashboard_stats.period_stats(30))["44"]
    assert guangdong.returned_share == pytest.approx(1 / 5)
    assert guangdong.rejected_share == pytest.approx(1 / 4)
    # LICENCE names the catalogue's licence-scan-unclear: its words are the catalogue's.
    assert sorted(guangdong.top_reasons) == [
        ("网站名称与内容不符", 1),
        ("营业执照扫描件不清晰或分辨率低于300dpi。", 1),
    ]
    assert _by_code(dashboard_stats.period_stats(30))["11"].returned_share == 0


def test_top_reasons_from_the_catalogue_are_said_in_the_readers_language(db):
    synced = {
        "field": "domain.real_name_verified_at",
        "reason": "域名未完成实名认证,或实名认证后未满3个工作日,信息尚未同步到管局。",
        "suggested_fix": "请完成域名实名认证",
        "code": "domain-real-name-not-synced",
    }
    typed = {"field": "website.name", "reason": "网站名称与内容不符", "suggested_fix": "", "code": ""}
    for code in ("44", "11"):
        _filing(
            code, S.ENTRY, _path(at(11, 2), at(11, 4), at(11, 5), at(11, 6), at(11, 20), "reject", [synced])
        )
    _filing("44", S.ENTRY, _path(at(11, 2), at(11, 4), at(11, 5), at(11, 6), at(11, 20), "reject", [typed]))
    summaries.refresh_summaries(full=True, now=NOW)
    with translation.override("en"):
        result = dashboard_stats.period_stats(30)
    english = (
        "The domain has not completed real-name verification, or 3 working days have not yet passed since, "
        "so the bureau does not have the details yet."
    )
    assert sorted(_by_code(result)["44"].top_reasons) == [(english, 1), ("网站名称与内容不符", 1)]
    # The country's list counts one catalogue reason once, whatever the words it was stored in.
    assert result.top_reasons == [(english, 2), ("网站名称与内容不符", 1)]
    with translation.override("zh-hans"):
        chinese = dashboard_stats.period_stats(30)
    assert chinese.top_reasons[0] == (synced["reason"], 2)


def test_period_excludes_visits_that_ended_before_it(history, monkeypatch):
    with pytest.raises(ValueError):
        dashboard_stats.period_stats(10)
    # Only the last 10 days (11-18 … 11-27): F2's rejection (11-20) and F4's approval (11-26).
    # The rebuild and the pages read the periods from one definition.
    monkeypatch.setattr(summaries, "PERIODS", (10,))
    monkeypatch.setattr(summary_terms, "PERIODS", (10,))
    summaries.refresh_summaries(full=True, now=NOW)
    result = dashboard_stats.period_stats(10)
    assert result.national.durations[S.BUREAU_REVIEW] == Duration(visits=2, median=7, p90=10)


def test_stage_counts(history):
    counts = dashboard_stats.stage_counts()
    rows = {p.code: c for p, c in counts.rows}
    assert rows["44"][S.PUBLISHED] == 3 and rows["44"][S.ENTRY] == 1
    assert rows["11"][S.PUBLISHED] == 1
    assert counts.totals[S.PUBLISHED] == 4
    # Published without a public-security number: all four.
    assert counts.awaiting_psb == 4


def test_weekly_flows(history):
    weeks = {w["week"].isoformat(): w["flows"] for w in dashboard_stats.weekly_flows(5, today=NOW.date())}
    # Week of 11-02: F1 (11-05) and F3 (11-03) entered bureau review; F3 left it (11-06).
    assert weeks["2026-11-02"][S.BUREAU_REVIEW] == (2, 1)
    # Week of 11-16: F1 (11-16) and F5 (11-17) left the bureau; F2 left on 11-20.
    assert weeks["2026-11-16"][S.BUREAU_REVIEW] == (0, 3)


def test_incremental_refresh_matches_a_full_rebuild(history):
    # History written after the last refresh (as the services write it: at the time it happens).
    filing = _filing(
        "44", S.BUREAU_REVIEW, _path(at(11, 26, 9), at(11, 26, 10), at(11, 26, 11), at(11, 26, 12), None)
    )
    FilingEvent.objects.create(
        filing=filing,
        at=at(11, 27, 11),
        transition="approve",
        from_state=S.BUREAU_REVIEW,
        to_state=S.PUBLISHED,
    )
    summaries.refresh_summaries(now=NOW)
    incremental = dashboard_stats.period_stats(30)
    summaries.refresh_summaries(full=True, now=NOW)
    full = dashboard_stats.period_stats(30)
    assert _by_code(incremental)["44"].durations == _by_code(full)["44"].durations
    # The new visits are counted once each (bureau 11-26 → 11-27 is one working day).
    assert _by_code(full)["44"].durations[S.BUREAU_REVIEW].visits == 5
    assert _by_code(full)["44"].durations[S.ENTRY].visits == 6


def test_expected_publication_from_province_median(history, monkeypatch):
    monkeypatch.setattr(estimates, "MIN_SAMPLES", 2)
    waiting = _filing("44", S.BUREAU_REVIEW, _path(at(11, 19), at(11, 20), at(11, 20, 11), at(11, 23), None))
    estimator = PublicationEstimator()
    expected = estimator.expect(waiting, today=NOW.date())
    # 粤's approved bureau visits in 90 days: 7, 3, 12 → median 7; 7 working days after Monday 11-23.
    assert expected.date.isoformat() == "2026-12-02"
    assert expected.basis == "按广东近90天3个备案的中位数估算"
    bureau = StageDuration.objects.get(period_days=90, province__code="44", stage=S.BUREAU_REVIEW)
    assert (bureau.forward_median_workdays, bureau.forward_visits) == (7, 3)


def test_expected_publication_falls_back_to_typical_bureau_time(history):
    province = Province.objects.get(code="31")
    waiting = _filing("31", S.BUREAU_REVIEW, _path(at(11, 19), at(11, 20), at(11, 20, 11), at(11, 23), None))
    expected = PublicationEstimator().expect(waiting, today=NOW.date())
    assert f"按管局通常用时{province.typical_bureau_workdays}个工作日估算" in expected.basis


def test_percentile_is_nearest_rank():
    assert summaries.percentile({1: 1, 2: 1, 3: 1, 4: 1}, 0.5) == 2
    assert summaries.percentile({1: 9, 10: 1}, 0.9) == 1
    assert summaries.percentile({1: 8, 10: 2}, 0.9) == 10
    assert summaries.percentile({}, 0.5) is None


def test_expected_dates_follow_the_calendar_and_the_province(history):
    from filings.models import CalendarDay

    province = Province.objects.get(code="31")
    waiting = _filing("31", S.BUREAU_REVIEW, _path(at(11, 19), at(11, 20), at(11, 20, 11), at(11, 23), None))
    before = PublicationEstimator().expect(waiting, today=NOW.date())
    # The admin declares the expected day a holiday: the next estimate moves past it.
    CalendarDay.objects.create(date=before.date, is_workday=False, name="测试")
    moved = PublicationEstimator().expect(waiting, today=NOW.date())
    assert moved.date > before.date
    # A province's typical bureau time moves its estimate.
    province.typical_bureau_workdays += 5
    province.save()
    waiting.province = province
    later = PublicationEstimator(provinces=[province]).expect(waiting, today=NOW.date())
    assert later.date > moved.date


def test_an_estimator_given_a_pages_provinces_expects_what_one_given_all_does(history, monkeypatch):
    monkeypatch.setattr(estimates, "MIN_SAMPLES", 2)
    waiting = [
        _filing(code, state, _path(at(11, 19), at(11, 20), at(11, 20, 11), at(11, 23), None))
        for code, state in (("44", S.BUREAU_REVIEW), ("31", S.BUREAU_REVIEW), ("44", S.PROVIDER_REVIEW))
    ]
    everywhere = PublicationEstimator()
    on_the_page = PublicationEstimator(provinces={f.province for f in waiting})
    assert set(on_the_page.provinces) == {f.province_id for f in waiting}
    for filing in waiting:
        assert on_the_page.expect(filing, today=NOW.date()) == everywhere.expect(filing, today=NOW.date())
    # The country's medians are the same whichever provinces were given, and count every province's visits.
    national = {stage: basis for (p, stage), basis in everywhere.medians.items() if p is None}
    assert national == {stage: basis for (p, stage), basis in on_the_page.medians.items() if p is None}
    by_province = StageDuration.objects.filter(period_days=estimates.BASIS_PERIOD, province__isnull=False)
    assert national[S.BUREAU_REVIEW].samples == sum(
        m.forward_visits for m in by_province.filter(stage=S.BUREAU_REVIEW)
    )
