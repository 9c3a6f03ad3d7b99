"""Public-security registration (公安联网备案): the number's format and province, corrections with
history, and the 30-day period counted from the day the site went live."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from filings.exceptions import InvalidInput, TransitionNotPermitted
from filings.formats.validators import validate_psb_number
from filings.kinds.states import State
from filings.models import Deadline, Filing, FilingEvent
from filings.rules import deadlines, workdays
from filings.services import public_security, transitions
from tests import factories
from tests.test_api import post_json
from tests.test_transitions import bring_to

SHANGHAI = workdays.SHANGHAI
GOOD = "粤公网安备44030502000001号"


def _code(value, abbreviation="粤", province_code="44"):
    try:
        validate_psb_number(value, abbreviation=abbreviation, province_code=province_code)
    except ValidationError as error:
        return error.code
    return None


@pytest.mark.parametrize(
    ("value", "abbr", "code", "expected"),
    [
        ("京公网安备11010502030143号", "京", "11", None),
        ("浙公网安备33010602012345号", "浙", "33", None),
        ("浙公网安备 33010602012345号", "浙", "33", None),  # as printed in many footers
        ("浙公网安备３３０１０６０２０１２３４５号", "浙", "33", None),  # full-width digits
        ("浙公网安备3301060201234号", "浙", "33", "psb_format"),  # 13 digits
        ("浙公网安备330106020123456号", "浙", "33", "psb_format"),  # 15 digits
        ("浙公网安备33010602012345", "浙", "33", "psb_format"),  # no 号
        ("浙ICP备2026012345号", "浙", "33", "psb_format"),  # the ICP number instead
        ("随便写的", "浙", "33", "psb_format"),
        ("", "浙", "33", "psb_format"),
        ("京公网安备11010502030143号", "浙", "33", "psb_province"),  # another province's number
        ("浙公网安备11010502030143号", "浙", "33", "psb_province"),  # abbreviation right, code wrong
        ("京公网安备33010602012345号", "浙", "33", "psb_province"),  # code right, abbreviation wrong
    ],
)
def test_psb_number_format_and_province(value, abbr, code, expected):
    assert _code(value, abbr, code) == expected


def test_psb_messages_name_the_expected_start():
    with pytest.raises(ValidationError) as error:
        validate_psb_number("京公网安备11010502030143号", abbreviation="浙", province_code="33")
    assert "浙公网安备33" in error.value.messages[0]


@pytest.fixture
def published(principal, reviewer):
    return bring_to(State.PUBLISHED, principal=principal, reviewer=reviewer)


@pytest.mark.django_db
def test_registering_a_number_of_another_province_is_refused(published, principal):
    with pytest.raises(InvalidInput) as refusal:
        transitions.register_public_security(published, by=principal, psb_number="京公网安备11010502030143号")
    assert "粤公网安备44" in str(refusal.value.message)
    assert Filing.objects.get(pk=published.pk).psb_number == ""
    assert Deadline.objects.filter(filing=published, kind="public_security", closed_at__isnull=True).exists()


@pytest.mark.django_db
def test_page_refuses_free_text_with_a_message(client, published, principal):
    client.force_login(principal)
    response = client.post(reverse("filings:public-security", args=[published.pk]), {"psb_number": "已备案"})
    assert response.status_code == 400
    assert "公网安备" in response.content.decode()
    assert Filing.objects.get(pk=published.pk).psb_number == ""


@pytest.mark.django_db
def test_api_refuses_a_wrong_number(api, published, principal):
    response = post_json(
        api(principal),
        f"/api/v1/filings/{published.pk}/transitions/register_public_security/",
        {"psb_number": "粤公网安备4403050200001号"},
    )
    assert response.status_code == 400
    assert "psb_number" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["principal", "reviewer"])
def test_recorded_number_can_be_corrected_with_history(published, principal, reviewer, who):
    transitions.register_public_security(published, by=principal, psb_number=GOOD)
    actor = principal if who == "principal" else reviewer
    filing = public_security.correct_public_security_number(
        published, by=actor, psb_number="粤公网安备 44030502000002号"
    )
    assert Filing.objects.get(pk=filing.pk).psb_number == "粤公网安备44030502000002号"
    event = FilingEvent.objects.filter(filing=filing, transition="correct_public_security").get()
    assert event.actor == actor
    assert event.reasons == [{"field": "psb_number", "old": GOOD, "new": "粤公网安备44030502000002号"}]
    assert GOOD in event.comment and "44030502000002" in event.comment


@pytest.mark.django_db
def test_correction_is_validated_and_permission_checked(published, principal, other_principal):
    transitions.register_public_security(published, by=principal, psb_number=GOOD)
    with pytest.raises(InvalidInput):
        public_security.correct_public_security_number(
            published, by=principal, psb_number="京公网安备11010502030143号"
        )
    with pytest.raises(TransitionNotPermitted):
        public_security.correct_public_security_number(
            published, by=other_principal, psb_number="粤公网安备44030502000002号"
        )
    assert Filing.objects.get(pk=published.pk).psb_number == GOOD
    assert not FilingEvent.objects.filter(filing=published, transition="correct_public_security").exists()


@pytest.mark.django_db
def test_correction_through_the_page_and_the_review_console(client, published, principal, reviewer):
    transitions.register_public_security(published, by=principal, psb_number=GOOD)
    client.force_login(principal)
    detail = client.get(reverse("filings:detail", args=[published.pk])).content.decode()
    assert reverse("filings:public-security-correct", args=[published.pk]) in detail
    response = client.post(
        reverse("filings:public-security-correct", args=[published.pk]),
        {"psb_number": "粤公网安备44030502000002号"},
    )
    assert response.status_code == 302
    assert Filing.objects.get(pk=published.pk).psb_number == "粤公网安备44030502000002号"
    client.force_login(reviewer)
    response = client.post(
        reverse("filings:review-psb-correct", args=[published.pk]),
        {"psb_number": "沪公网安备31010502000002号"},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("filings:review-psb-correct", args=[published.pk]),
        {"psb_number": "粤公网安备44030502000003号"},
    )
    assert response.status_code == 302
    assert Filing.objects.get(pk=published.pk).psb_number == "粤公网安备44030502000003号"
    assert FilingEvent.objects.filter(filing=published, transition="correct_public_security").count() == 2


# The 30-day period.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("went_live", "last_day"),
    [
        (date(2026, 6, 3), date(2026, 7, 3)),  # day 30 is a Friday
        (date(2026, 6, 5), date(2026, 7, 6)),  # day 30 is a Sunday: the next Monday
        (date(2026, 9, 1), date(2026, 10, 8)),  # day 30 is National Day: after the holiday
        (date(2026, 1, 30), date(2026, 3, 2)),  # February has 28 days; 3-1 is a Sunday
    ],
)
def test_period_counts_from_the_next_day_and_skips_rest_days(went_live, last_day):
    due = workdays.civil_period_deadline(went_live, 30)
    assert due.at == datetime(last_day.year, last_day.month, last_day.day, 23, 59, 59, tzinfo=SHANGHAI)
    assert not due.provisional


def _publish_on(filing: Filing, day: date) -> None:
    Filing.objects.filter(pk=filing.pk).update(
        published_at=datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    )


@pytest.mark.django_db
def test_go_live_date_defaults_to_publication_and_moves_the_deadline(published, principal):
    today = timezone.localdate()
    assert published.went_live_on == today
    deadline = Deadline.objects.get(filing=published, kind="public_security", closed_at__isnull=True)
    assert deadline.due_at == workdays.civil_period_deadline(today, 30).at

    _publish_on(published, today - timedelta(days=20))
    went_live = today - timedelta(days=10)
    filing = public_security.set_went_live_on(published, by=principal, went_live_on=went_live)
    deadline.refresh_from_db()
    assert filing.went_live_on == went_live
    assert deadline.starts_at.astimezone(SHANGHAI).date() == went_live
    assert deadline.due_at == workdays.civil_period_deadline(went_live, 30).at
    event = FilingEvent.objects.get(filing=published, transition="set_went_live_on")
    assert event.reasons == [
        {"field": "went_live_on", "old": today.isoformat(), "new": went_live.isoformat()}
    ]


@pytest.mark.django_db
def test_go_live_date_is_refused_before_publication_in_the_future_or_by_others(
    published, principal, reviewer
):
    today = timezone.localdate()
    with pytest.raises(InvalidInput):
        public_security.set_went_live_on(published, by=principal, went_live_on=today - timedelta(days=1))
    with pytest.raises(InvalidInput):
        public_security.set_went_live_on(published, by=principal, went_live_on=today + timedelta(days=1))
    with pytest.raises(TransitionNotPermitted):
        public_security.set_went_live_on(published, by=reviewer, went_live_on=today)
    assert Filing.objects.get(pk=published.pk).went_live_on == today


@pytest.mark.django_db
def test_go_live_date_through_the_page_and_the_api(client, api, published, principal):
    today = timezone.localdate()
    _publish_on(published, today - timedelta(days=5))
    client.force_login(principal)
    assert "网站开通日期" in client.get(reverse("filings:detail", args=[published.pk])).content.decode()
    response = client.post(
        reverse("filings:went-live", args=[published.pk]),
        {"went_live_on": (today - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 302
    assert Filing.objects.get(pk=published.pk).went_live_on == today - timedelta(days=3)
    response = client.post(reverse("filings:went-live", args=[published.pk]), {"went_live_on": "2000-01-01"})
    assert response.status_code == 400

    response = api(principal).patch(
        f"/api/v1/filings/{published.pk}/public-security/",
        data={"went_live_on": (today - timedelta(days=2)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["went_live_on"] == (today - timedelta(days=2)).isoformat()
    transitions.register_public_security(published, by=principal, psb_number=GOOD)
    response = api(principal).patch(
        f"/api/v1/filings/{published.pk}/public-security/",
        data={"psb_number": "京公网安备11010502030143号"},
        format="json",
    )
    assert response.status_code == 400
    response = api(principal).patch(
        f"/api/v1/filings/{published.pk}/public-security/",
        data={"psb_number": "粤公网安备44030502000009号"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["psb_number"] == "粤公网安备44030502000009号"


@pytest.mark.django_db
def test_provisional_period_is_recomputed_with_the_calendar(published, principal):
    from filings.models import CalendarYear

    deadline = Deadline.objects.get(filing=published, kind="public_security", closed_at__isnull=True)
    # A go-live date whose 30 days end in a year without an official calendar.
    Deadline.objects.filter(pk=deadline.pk).update(
        starts_at=datetime(2030, 12, 20, tzinfo=SHANGHAI), provisional=True
    )
    CalendarYear.objects.create(year=2031, official=True)
    changed = deadlines.recompute_provisional_deadlines()
    deadline.refresh_from_db()
    assert deadline.pk in changed
    assert deadline.due_at == workdays.civil_period_deadline(date(2030, 12, 20), 30).at


@pytest.mark.django_db
def test_command_recounts_deadlines_stored_under_the_old_rule(published, capsys):
    from django.core.management import call_command

    deadline = Deadline.objects.get(filing=published, kind="public_security", closed_at__isnull=True)
    # As the old rule stored it: 30 days to the minute after publication.
    old_due = published.stage_entered_at + timedelta(days=30)
    Deadline.objects.filter(pk=deadline.pk).update(starts_at=published.stage_entered_at, due_at=old_due)
    call_command("recompute_public_security_deadlines")
    assert capsys.readouterr().out.strip() == "1"
    deadline.refresh_from_db()
    assert deadline.due_at == workdays.civil_period_deadline(published.went_live_on, 30).at
    call_command("recompute_public_security_deadlines")
    assert capsys.readouterr().out.strip() == "0"


@pytest.mark.django_db
def test_published_filings_go_live_on_their_publication_day_in_china(principal):
    from importlib import import_module

    from django.apps import apps as django_apps

    migration = import_module("filings.migrations.0007_filing_went_live_on")
    filing = factories.ready_filing(assignee=principal)
    # 01:30 in Shanghai on 30 November is still 29 November in UTC.
    Filing.objects.filter(pk=filing.pk).update(
        published_at=datetime(2026, 11, 29, 17, 30, tzinfo=UTC), went_live_on=None
    )
    migration.went_live_at_publication(django_apps, None)
    filing.refresh_from_db()
    assert filing.went_live_on == date(2026, 11, 30)
