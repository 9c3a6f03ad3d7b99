"""Deadlines per stage: computed and stored on entering a stage, closed on leaving it."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from filings.kinds.states import State
from filings.models import Deadline, Filing, Province
from filings.rules import deadlines, workdays
from filings.services import drafts, transitions
from tests import factories

SHANGHAI = workdays.SHANGHAI
Kind = Deadline.Kind


pytestmark = pytest.mark.usefixtures("fresh_calendar_cache")


def end_of(day: str) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time(23, 59, 59), tzinfo=SHANGHAI)


def entered(state: str, at: datetime, *, province_code: str = "44") -> dict[str, Deadline]:
    """Put a filing in `state` as if it entered at `at`; return the deadlines stored for the stage."""
    return entered_filing(factories.ready_filing(province_code=province_code), state, at)


def entered_filing(filing: Filing, state: str, at: datetime) -> dict[str, Deadline]:
    Filing.objects.filter(pk=filing.pk).update(state=state, stage_visit=2, stage_entered_at=at)
    filing = Filing.objects.select_related("province").get(pk=filing.pk)
    deadlines.open_stage_deadlines(filing, now=at)
    open_ones = Deadline.objects.filter(filing=filing, closed_at__isnull=True)
    assert all(d.stage_visit == 2 and d.stage == state for d in open_ones)
    return {d.kind: d for d in open_ones}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at", "target", "overdue"),
    [
        # Friday before the Spring Festival: day 1 is the make-up Saturday, day 2 after the holiday.
        (datetime(2026, 2, 13, 16, 0, tzinfo=SHANGHAI), "2026-02-14", "2026-02-24"),
        # Entered on a Saturday: that Saturday is day 0.
        (datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI), "2026-11-30", "2026-12-01"),
        # 17:30 UTC on Thursday is 01:30 on Friday in Shanghai: Friday is day 0.
        (datetime(2026, 11, 26, 17, 30, tzinfo=UTC), "2026-11-30", "2026-12-01"),
        # Just before midnight in Shanghai: still Thursday.
        (datetime(2026, 11, 26, 23, 59, 0, tzinfo=SHANGHAI), "2026-11-27", "2026-11-30"),
        (datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI), "2026-10-08", "2026-10-09"),
    ],
)
def test_prereview_target_after_one_working_day_overdue_after_two(at, target, overdue):
    stored = entered(State.PROVIDER_REVIEW, at)
    assert set(stored) == {Kind.PREREVIEW_TARGET, Kind.PREREVIEW_OVERDUE}
    assert stored[Kind.PREREVIEW_TARGET].due_at == end_of(target)
    assert stored[Kind.PREREVIEW_OVERDUE].due_at == end_of(overdue)
    assert stored[Kind.PREREVIEW_TARGET].workdays == 1
    assert stored[Kind.PREREVIEW_OVERDUE].workdays == 2
    for deadline in stored.values():
        assert deadline.starts_at == at
        assert deadline.due_at.astimezone(SHANGHAI).time() == time(23, 59, 59)
        assert not deadline.provisional


@pytest.mark.django_db
def test_sms_window_is_24_calendar_hours():
    at = datetime(2026, 9, 30, 15, 20, tzinfo=SHANGHAI)
    stored = entered(State.SMS_VERIFICATION, at)
    assert set(stored) == {Kind.SMS_WINDOW}
    # National Day does not stop the clock.
    assert stored[Kind.SMS_WINDOW].due_at == datetime(2026, 10, 1, 15, 20, tzinfo=SHANGHAI)
    assert stored[Kind.SMS_WINDOW].workdays is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("province_code", "expected", "n"),
    [
        ("44", "2026-10-16", 20),  # Guangdong: 20 working days, across Mid-Autumn and National Day
        ("11", "2026-10-16", 20),
        ("33", "2026-10-16", 20),  # Zhejiang too: its 30 had no source (Order No. 33 Art. 12)
    ],
)
def test_bureau_review_working_days_per_province(province_code, expected, n):
    at = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)
    stored = entered(State.BUREAU_REVIEW, at, province_code=province_code)
    assert set(stored) == {Kind.BUREAU_REVIEW}
    assert stored[Kind.BUREAU_REVIEW].due_at == end_of(expected)
    assert stored[Kind.BUREAU_REVIEW].workdays == n
    assert not stored[Kind.BUREAU_REVIEW].provisional


@pytest.mark.django_db
def test_a_longer_bureau_limit_with_a_source_is_counted():
    Province.objects.filter(code="33").update(bureau_review_workdays=30, bureau_review_source="示例:管局公告")
    at = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)
    stored = entered(State.BUREAU_REVIEW, at, province_code="33")
    assert stored[Kind.BUREAU_REVIEW].due_at == end_of("2026-10-30")
    assert stored[Kind.BUREAU_REVIEW].workdays == 30


@pytest.mark.django_db
def test_bureau_review_limit_follows_the_province_row():
    from filings.models import Province

    Province.objects.filter(code="44").update(bureau_review_workdays=5)
    stored = entered(State.BUREAU_REVIEW, datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI))
    assert stored[Kind.BUREAU_REVIEW].due_at == end_of("2026-09-20")  # the make-up Sunday


@pytest.mark.django_db
def test_bureau_review_into_2027_is_provisional():
    stored = entered(State.BUREAU_REVIEW, datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI))
    assert stored[Kind.BUREAU_REVIEW].provisional
    assert stored[Kind.BUREAU_REVIEW].due_at == end_of("2027-01-13")


@pytest.mark.django_db
def test_public_security_30_days_after_going_live():
    at = datetime(2026, 11, 1, 12, 0, tzinfo=SHANGHAI)
    stored = entered(State.PUBLISHED, at)
    assert set(stored) == {Kind.PUBLIC_SECURITY}
    # Day 1 is 11-02; day 30 is 12-01 (a Tuesday), ending at its 24:00.
    assert stored[Kind.PUBLIC_SECURITY].due_at == end_of("2026-12-01")
    assert stored[Kind.PUBLIC_SECURITY].starts_at == datetime(2026, 11, 1, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_public_security_period_ending_on_a_holiday_moves_to_the_next_working_day():
    # Live on 09-05: day 30 is 10-05, inside the National Day holiday (10-01 to 10-07).
    filing = factories.ready_filing(province_code="44")
    Filing.objects.filter(pk=filing.pk).update(went_live_on="2026-09-05")
    stored = entered_filing(filing, State.PUBLISHED, datetime(2026, 9, 8, 9, 0, tzinfo=SHANGHAI))
    assert stored[Kind.PUBLIC_SECURITY].due_at == end_of("2026-10-08")


@pytest.mark.django_db
def test_stale_entry_30_days():
    at = datetime(2026, 11, 2, 8, 0, tzinfo=SHANGHAI)
    stored = entered(State.ENTRY, at)
    assert set(stored) == {Kind.STALE_ENTRY}
    assert stored[Kind.STALE_ENTRY].due_at == datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_withdrawn_filings_have_no_open_deadline():
    stored = entered(State.WITHDRAWN, datetime(2026, 11, 2, 8, 0, tzinfo=SHANGHAI))
    assert stored == {}


def _open(filing) -> dict[str, Deadline]:
    return {d.kind: d for d in Deadline.objects.filter(filing=filing, closed_at__isnull=True)}


@pytest.mark.django_db
def test_deadlines_follow_the_filing_through_its_stages(principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    assert set(_open(filing)) == {Kind.STALE_ENTRY}

    filing = transitions.submit_filing(filing, by=principal)
    current = _open(filing)
    assert set(current) == {Kind.PREREVIEW_TARGET, Kind.PREREVIEW_OVERDUE}
    for deadline in current.values():
        assert deadline.starts_at == filing.stage_entered_at
        assert deadline.stage == State.PROVIDER_REVIEW and deadline.stage_visit == filing.stage_visit
    assert current[Kind.PREREVIEW_TARGET].due_at == workdays.workday_deadline(filing.stage_entered_at, 1).at
    stale = Deadline.objects.get(filing=filing, kind=Kind.STALE_ENTRY)
    assert stale.closed_at == filing.stage_entered_at  # closed on leaving entry

    filing = transitions.pass_review(filing, by=reviewer)
    current = _open(filing)
    assert set(current) == {Kind.SMS_WINDOW}
    assert current[Kind.SMS_WINDOW].due_at == filing.stage_entered_at + timedelta(hours=24)
    assert (
        Deadline.objects.filter(filing=filing, stage=State.PROVIDER_REVIEW, closed_at__isnull=False).count()
        == 2
    )

    verifier = filing.sms_verifiers.get(stage_visit=filing.stage_visit)
    filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=principal)
    current = _open(filing)
    assert set(current) == {Kind.BUREAU_REVIEW}
    assert current[Kind.BUREAU_REVIEW].workdays == 20

    filing = transitions.approve_filing(filing, by=reviewer, icp_number="粤ICP备2026000001号")
    current = _open(filing)
    assert set(current) == {Kind.PUBLIC_SECURITY}
    # 30 days from the day after the site went live (the publication day unless the principal says
    # otherwise), ending at the end of the last day, moved past rest days and holidays.
    assert filing.went_live_on == timezone.localdate(filing.published_at)
    assert current[Kind.PUBLIC_SECURITY].due_at == workdays.civil_period_deadline(filing.went_live_on, 30).at

    filing = transitions.register_public_security(
        filing, by=principal, psb_number="粤公网安备44030502000001号"
    )
    assert _open(filing) == {}
    # Each stage's deadlines were stored once and closed once.
    kinds = list(Deadline.objects.filter(filing=filing).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(
        [
            Kind.STALE_ENTRY,
            Kind.PREREVIEW_TARGET,
            Kind.PREREVIEW_OVERDUE,
            Kind.SMS_WINDOW,
            Kind.BUREAU_REVIEW,
            Kind.PUBLIC_SECURITY,
        ]
    )


@pytest.mark.django_db
def test_return_to_entry_opens_a_new_stale_entry_deadline(principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.return_filing(
        filing,
        by=reviewer,
        reasons=[{"field": "website.name", "reason": "名称不符", "suggested_fix": "修改"}],
    )
    current = _open(filing)
    assert set(current) == {Kind.STALE_ENTRY}
    assert current[Kind.STALE_ENTRY].stage_visit == filing.stage_visit == 3
    assert not Deadline.objects.filter(filing=filing, stage=State.PROVIDER_REVIEW, closed_at__isnull=True)


@pytest.mark.django_db
def test_withdrawal_closes_every_deadline(principal):
    filing = factories.ready_filing(assignee=principal)
    filing = transitions.submit_filing(filing, by=principal)
    transitions.withdraw_filing(filing, by=principal)
    assert _open(filing) == {}


@pytest.mark.django_db
def test_editing_a_draft_restarts_the_stale_entry_clock(principal):
    filing = factories.ready_filing(assignee=principal)
    long_ago = timezone.now() - timedelta(days=20)
    Deadline.objects.filter(filing=filing, kind=Kind.STALE_ENTRY).update(
        starts_at=long_ago, due_at=long_ago + timedelta(days=30)
    )
    before = timezone.now()
    drafts.update_filing(
        filing, by=principal, expected_version=filing.version, subject={"business_scope": "软件开发"}
    )
    stale = Deadline.objects.get(filing=filing, kind=Kind.STALE_ENTRY, closed_at__isnull=True)
    assert stale.starts_at >= before
    assert stale.due_at == stale.starts_at + timedelta(days=30)
    assert Deadline.objects.filter(filing=filing).count() == 1  # restarted, not duplicated


@pytest.mark.django_db
def test_editing_an_app_draft_restarts_the_stale_entry_clock(published, principal):
    from filings.services import apps

    filing = factories.ready_app_filing(published)
    long_ago = timezone.now() - timedelta(days=20)
    Deadline.objects.filter(filing=filing, kind=Kind.STALE_ENTRY).update(
        starts_at=long_ago, due_at=long_ago + timedelta(days=30)
    )
    before = timezone.now()
    apps.update_app_filing(
        filing, by=principal, expected_version=filing.version, apps=[factories.app_payload(name="星河记账")]
    )
    stale = Deadline.objects.get(filing=filing, kind=Kind.STALE_ENTRY, closed_at__isnull=True)
    assert stale.starts_at >= before
    assert stale.due_at == stale.starts_at + timedelta(days=30)
