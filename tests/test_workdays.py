"""The working-day calendar: 2026 holidays and make-up days, the provisional 2027, admin overrides."""

from datetime import UTC, date, datetime, timedelta

import pytest

from filings.kinds.states import State
from filings.models import CalendarDay, CalendarYear, Deadline, Filing
from filings.rules import deadlines, workdays
from filings.services import calendar
from tests import factories

SHANGHAI = workdays.SHANGHAI


pytestmark = pytest.mark.usefixtures("fresh_calendar_cache")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-01-01", False),  # 元旦
        ("2026-01-02", False),
        ("2026-01-04", True),  # Sunday, make-up day
        ("2026-01-05", True),
        ("2026-02-13", True),  # Friday before the Spring Festival
        ("2026-02-14", True),  # Saturday, make-up day
        ("2026-02-15", False),  # Spring Festival 15–23 Feb
        ("2026-02-16", False),
        ("2026-02-20", False),
        ("2026-02-23", False),  # Monday, still the holiday
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday, make-up day
        ("2026-03-01", False),  # an ordinary Sunday
        ("2026-04-06", False),  # 清明节
        ("2026-05-01", False),  # 劳动节
        ("2026-05-05", False),
        ("2026-05-09", True),  # Saturday, make-up day
        ("2026-06-19", False),  # 端午节
        ("2026-09-20", True),  # Sunday, make-up day
        ("2026-09-25", False),  # 中秋节
        ("2026-10-01", False),  # 国庆节
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday, make-up day
        ("2026-10-11", False),
        ("2026-11-28", False),  # an ordinary Saturday
        ("2026-11-30", True),
    ],
)
def test_is_workday_in_2026(day, expected):
    assert workdays.is_workday(date.fromisoformat(day)) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-11-27", 0, "2026-11-27"),  # day 0 is the start itself
        ("2026-11-27", 1, "2026-11-30"),  # Friday + 1 → Monday
        ("2026-02-13", 1, "2026-02-14"),  # onto the make-up Saturday
        ("2026-02-13", 2, "2026-02-24"),  # over the whole Spring Festival
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-27", 1, "2026-02-28"),  # Friday + 1 → make-up Saturday
        ("2026-09-18", 1, "2026-09-20"),  # Friday + 1 → make-up Sunday
        ("2026-09-30", 1, "2026-10-08"),  # over National Day
        ("2026-09-30", 3, "2026-10-10"),  # …and onto its make-up Saturday
        ("2026-04-30", 1, "2026-05-06"),  # over Labour Day
        ("2026-04-30", 3, "2026-05-08"),
        ("2026-04-30", 4, "2026-05-09"),
        ("2025-12-31", 1, "2026-01-04"),  # New Year, onto the make-up Sunday
        ("2026-09-14", 20, "2026-10-16"),  # a bureau review across National Day
    ],
)
def test_add_workdays_across_2026_holidays(start, n, expected):
    assert workdays.add_workdays(date.fromisoformat(start), n) == date.fromisoformat(expected)


@pytest.mark.django_db
def test_add_workdays_refuses_negative_counts():
    with pytest.raises(ValueError):
        workdays.add_workdays(date(2026, 5, 1), -1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-11-27", "2026-11-27", 0),
        ("2026-11-27", "2026-11-30", 1),  # (start, end]: the start day is not counted
        ("2026-11-26", "2026-11-27", 1),
        ("2026-09-30", "2026-10-10", 3),  # 8, 9, 10 October
        ("2026-02-13", "2026-02-28", 6),  # 14 and 28 (make-up Saturdays), 24–27
        ("2026-01-01", "2026-12-31", 248),
        ("2026-10-10", "2026-09-30", -3),
    ],
)
def test_workdays_between(start, end, expected):
    assert workdays.workdays_between(date.fromisoformat(start), date.fromisoformat(end)) == expected


@pytest.mark.django_db
def test_workdays_between_and_add_workdays_agree():
    start = date(2026, 1, 1)
    for n in range(0, 260, 7):
        assert workdays.workdays_between(start, workdays.add_workdays(start, n)) == n


@pytest.mark.django_db
def test_2026_is_official_and_2027_is_not():
    assert workdays.is_official_year(2026)
    assert not workdays.is_official_year(2027)
    assert not workdays.is_provisional(date(2026, 1, 5), date(2026, 12, 31))
    assert workdays.is_provisional(date(2026, 12, 15), date(2027, 1, 13))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-01-01", False),  # Friday, 元旦
        ("2027-01-04", True),
        # Spring Festival: 除夕 5 February and the first three days (6–8 February, two of them a
        # weekend, given on 9–10 February) by the lunar calendar.
        ("2027-02-04", True),
        ("2027-02-05", False),
        ("2027-02-08", False),
        ("2027-02-10", False),
        ("2027-02-11", True),
        ("2027-04-05", False),  # 清明 (Monday)
        ("2027-04-30", True),
        ("2027-05-03", False),  # 劳动节 on the weekend, given on Monday
        ("2027-05-08", False),  # an ordinary Saturday (no make-up days are guessed)
        ("2027-06-09", False),  # 端午 (Wednesday)
        ("2027-09-15", False),  # 中秋 (Wednesday)
        ("2027-10-01", False),  # 国庆
        ("2027-10-06", True),
    ],
)
def test_2027_without_data_estimates_the_statutory_holidays_with_the_lunar_ones(day, expected):
    assert workdays.is_workday(date.fromisoformat(day)) is expected


@pytest.mark.django_db
def test_a_20_working_day_count_from_mid_january_2027_skips_the_spring_festival():
    # 15 January (Friday) + 20 working days: without the Spring Festival the count would end on
    # 12 February; with 5–10 February off it ends on 18 February, and it is provisional.
    due = workdays.workday_deadline(datetime(2027, 1, 15, 10, 0, tzinfo=SHANGHAI), 20)
    assert due.at == datetime(2027, 2, 18, 23, 59, 59, tzinfo=SHANGHAI)
    assert due.provisional


@pytest.mark.django_db
def test_provisional_deadlines_are_recomputed_once_every_year_they_touch_is_official():
    from filings.services import calendar

    filing = _bureau_filing_entered_at(datetime(2026, 12, 15, 10, 30, tzinfo=SHANGHAI))
    deadline = Deadline.objects.get(filing=filing, closed_at__isnull=True)
    assert deadline.provisional
    assert calendar.recompute_when_calendar_learned() == 0  # 2027 still unknown: nothing to do
    # An upgraded calendar package (or an admin) now knows 2027.
    CalendarYear.objects.create(year=2027, official=True)
    workdays.forget_overrides()
    assert calendar.recompute_when_calendar_learned() == 1
    deadline.refresh_from_db()
    assert not deadline.provisional
    assert calendar.recompute_when_calendar_learned() == 0


@pytest.mark.django_db
def test_counting_across_the_2026_2027_boundary_is_provisional():
    assert workdays.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert workdays.workdays_between(date(2026, 12, 30), date(2027, 1, 4)) == 2
    due = workdays.workday_deadline(datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI), 20)
    # 16–31 Dec: 12 working days; 1 Jan off; 4–8 Jan: 5; 11–13 Jan: 3.
    assert due.at == datetime(2027, 1, 13, 23, 59, 59, tzinfo=SHANGHAI)
    assert due.provisional
    inside = workdays.workday_deadline(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI), 20)
    assert inside.at == datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert not inside.provisional


@pytest.mark.django_db
def test_admin_days_override_the_package():
    # An admin declares an extra day off in 2026 and turns an ordinary Saturday into a working day.
    CalendarDay.objects.create(date=date(2026, 12, 1), is_workday=False, name="临时放假")
    CalendarDay.objects.create(date=date(2026, 12, 5), is_workday=True, name="调休上班")
    assert not workdays.is_workday(date(2026, 12, 1))
    assert workdays.is_workday(date(2026, 12, 5))
    assert workdays.add_workdays(date(2026, 11, 30), 1) == date(2026, 12, 2)
    assert workdays.workdays_between(date(2026, 11, 30), date(2026, 12, 7)) == 5
    CalendarDay.objects.filter(date=date(2026, 12, 1)).delete()
    assert workdays.is_workday(date(2026, 12, 1))


@pytest.mark.django_db
def test_admin_enters_2027_as_official():
    CalendarYear.objects.create(year=2027, official=True, notice="国务院办公厅关于2027年部分节假日安排的通知")
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=date(2027, 1, 4), is_workday=False, name="元旦"),
            CalendarDay(date=date(2027, 2, 6), is_workday=True, name="春节调休上班"),
        ]
    )
    workdays.forget_overrides()  # bulk_create sends no signals
    assert workdays.is_official_year(2027)
    assert not workdays.is_workday(date(2027, 1, 4))
    assert workdays.is_workday(date(2027, 2, 6))
    assert workdays.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 5)
    assert not workdays.is_provisional(date(2026, 12, 15), date(2027, 1, 14))


def _bureau_filing_entered_at(entered_at: datetime) -> Filing:
    filing = factories.ready_filing()
    Filing.objects.filter(pk=filing.pk).update(
        state=State.BUREAU_REVIEW, stage_visit=4, stage_entered_at=entered_at
    )
    filing = Filing.objects.select_related("province").get(pk=filing.pk)
    deadlines.open_stage_deadlines(filing, now=entered_at)
    return filing


@pytest.mark.django_db
def test_publishing_2027_recomputes_open_provisional_deadlines():
    entered = datetime(2026, 12, 15, 10, 30, tzinfo=SHANGHAI)
    filing = _bureau_filing_entered_at(entered)
    closed_earlier = Deadline.objects.create(
        filing=filing,
        stage=State.BUREAU_REVIEW,
        stage_visit=1,
        kind=Deadline.Kind.BUREAU_REVIEW,
        starts_at=entered,
        due_at=datetime(2027, 1, 13, 23, 59, 59, tzinfo=SHANGHAI),
        workdays=20,
        provisional=True,
        closed_at=entered + timedelta(days=1),
    )
    deadline = Deadline.objects.get(filing=filing, closed_at__isnull=True)
    assert deadline.kind == Deadline.Kind.BUREAU_REVIEW
    assert deadline.provisional
    assert deadline.due_at == datetime(2027, 1, 13, 23, 59, 59, tzinfo=SHANGHAI)

    # The 2027 notice arrives: 1–4 January off.
    CalendarDay.objects.create(date=date(2027, 1, 4), is_workday=False, name="元旦")
    changed = calendar.publish_calendar_year(year=2027, notice="2027年放假通知")

    assert changed == 1
    deadline.refresh_from_db()
    assert not deadline.provisional
    assert deadline.due_at == datetime(2027, 1, 14, 23, 59, 59, tzinfo=SHANGHAI)
    # Closed deadlines are history and stay as they were.
    closed_earlier.refresh_from_db()
    assert closed_earlier.provisional
    assert closed_earlier.due_at == datetime(2027, 1, 13, 23, 59, 59, tzinfo=SHANGHAI)
    # Publishing again changes nothing.
    assert calendar.publish_calendar_year(year=2027) == 0


@pytest.mark.django_db
def test_deadline_inside_2026_is_not_provisional():
    filing = _bureau_filing_entered_at(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    deadline = Deadline.objects.get(filing=filing, closed_at__isnull=True)
    assert not deadline.provisional
    assert deadline.due_at == datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_workdays_left_counts_from_today_to_the_due_day():
    due = datetime(2026, 10, 10, 23, 59, 59, tzinfo=SHANGHAI)
    assert workdays.workdays_left(datetime(2026, 9, 30, 8, 0, tzinfo=SHANGHAI), due) == 3
    assert workdays.workdays_left(datetime(2026, 10, 10, 8, 0, tzinfo=SHANGHAI), due) == 0
    assert workdays.workdays_left(datetime(2026, 10, 12, 8, 0, tzinfo=SHANGHAI), due) == -1
    # Times are read in Shanghai: 17:00 UTC on 9 October is already the 10th there.
    utc_evening = datetime(2026, 10, 9, 17, 0, tzinfo=UTC)
    assert workdays.workdays_left(utc_evening, due) == 0
