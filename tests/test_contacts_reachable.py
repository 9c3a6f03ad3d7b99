"""Contacts reachable (issue #25): reviewers record calls; two failed calls in a week give the
principal a task to confirm their numbers; a number out of service proposes a change filing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from filings.exceptions import BeianError, TransitionNotPermitted
from filings.models import Alert, CallAttempt, Deadline, FilingEvent, Notification
from filings.reads import compliance
from filings.services import contacts
from tests import factories

pytestmark = pytest.mark.django_db

Outcome = CallAttempt.Outcome


@pytest.fixture
def published(principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    # Created a month before: the calls recorded below go back ten days, and a call before it is refused.
    filing.created_at = timezone.now() - timedelta(days=30)
    filing.save(update_fields=["created_at"])
    return factories.publish(filing, reviewer=reviewer)


def _call(filing, reviewer, outcome, *, days_ago=0, number=None):
    person = filing.subject_principal
    return contacts.record_call_attempt(
        filing,
        person_id=person.pk,
        number=number or person.mobile,
        outcome=outcome,
        called_at=timezone.now() - timedelta(days=days_ago),
        by=reviewer,
    )


def _task(filing):
    return Deadline.objects.filter(filing=filing, kind=Deadline.Kind.CONTACT_CONFIRM, closed_at__isnull=True)


def test_two_failed_calls_in_a_week_give_the_principal_a_task(published, reviewer, principal):
    _call(published, reviewer, Outcome.NO_ANSWER, days_ago=10)
    _call(published, reviewer, Outcome.NO_ANSWER)
    assert not _task(published).exists()  # the first was more than a week before
    assert FilingEvent.objects.filter(filing=published, transition="call_attempt").count() == 2

    _call(published, reviewer, Outcome.WRONG_PERSON)
    task = _task(published).get()
    alert = Alert.objects.get(deadline=task)
    assert Notification.objects.filter(alert=alert, user=principal).exists()

    contacts.confirm_contact_numbers(published, by=principal)
    assert not _task(published).exists()
    alert.refresh_from_db()
    assert alert.withdrawn_at is not None


def test_answered_calls_open_no_task(published, reviewer):
    _call(published, reviewer, Outcome.NO_ANSWER)
    _call(published, reviewer, Outcome.ANSWERED)
    assert not _task(published).exists()


def test_out_of_service_number_proposes_a_change_filing(published, reviewer):
    assert compliance.numbers_out_of_service(published) == []
    _call(published, reviewer, Outcome.OUT_OF_SERVICE)
    [(person, number)] = compliance.numbers_out_of_service(published)
    assert person == published.subject_principal and number == person.mobile
    _call(published, reviewer, Outcome.ANSWERED)  # the number works again
    assert compliance.numbers_out_of_service(published) == []


def test_bad_calls_are_refused_without_saving(published, reviewer, principal):
    with pytest.raises(TransitionNotPermitted):
        _call(published, principal, Outcome.NO_ANSWER)
    with pytest.raises(BeianError):
        _call(published, reviewer, Outcome.NO_ANSWER, number="13800000000")
    with pytest.raises(BeianError):
        _call(published, reviewer, "maybe")
    with pytest.raises(BeianError):
        _call(published, reviewer, Outcome.NO_ANSWER, days_ago=-1)
    assert not CallAttempt.objects.exists()


# SMS delivery reports from the gateway (POST /api/v1/sms/delivery-reports/ with the shared secret).

SECRET = "gateway-secret-for-tests"


def _report(client, reports, *, secret=SECRET):
    headers = {"HTTP_X_BEIAN_SMS_SECRET": secret} if secret is not None else {}
    return client.post("/api/v1/sms/delivery-reports/", {"reports": reports}, format="json", **headers)


def _row(mobile, status, *, message_id="m-1", days_ago=0):
    return {
        "message_id": message_id,
        "mobile": mobile,
        "status": status,
        "reported_at": (timezone.now() - timedelta(days=days_ago)).isoformat(),
    }


def test_undelivered_sms_and_a_failed_call_give_the_principal_a_task(
    published, reviewer, principal, api, settings
):
    settings.BEIAN_SMS_REPORT_SECRET = SECRET
    mobile = published.subject_principal.mobile
    answer = _report(
        api(), [_row(mobile, "failed", message_id="a1"), _row(mobile, "delivered", message_id="a2")]
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"received": 2, "recorded": 1}
    attempt = CallAttempt.objects.get(filing=published)
    assert (attempt.channel, attempt.outcome, attempt.recorded_by) == ("sms", Outcome.UNDELIVERED, None)
    assert FilingEvent.objects.filter(filing=published, transition="sms_undelivered").count() == 1
    assert not _task(published).exists()

    # The gateway sends the same report again: nothing more is recorded.
    assert _report(api(), [_row(mobile, "failed", message_id="a1")]).json()["recorded"] == 0
    assert not _task(published).exists()

    _call(published, reviewer, Outcome.NO_ANSWER)  # the second failed attempt within a week
    task = _task(published).get()
    assert Notification.objects.filter(alert__deadline=task, user=principal).exists()


def test_two_undelivered_texts_in_a_week_give_the_task_and_an_empty_number_proposes_a_change(
    published, api, settings
):
    settings.BEIAN_SMS_REPORT_SECRET = SECRET
    mobile = published.subject_principal.mobile
    _report(api(), [_row(mobile, "failed", message_id="b1", days_ago=9)])
    _report(api(), [_row(mobile, "failed", message_id="b2")])
    assert not _task(published).exists()  # nine days apart
    _report(api(), [_row(mobile, "invalid_number", message_id="b3")])
    assert _task(published).exists()
    [(person, number)] = compliance.numbers_out_of_service(published)
    assert (person, number) == (published.subject_principal, mobile)


def test_reports_of_numbers_no_published_filing_uses_record_nothing(principal, api, settings):
    settings.BEIAN_SMS_REPORT_SECRET = SECRET
    draft = factories.ready_filing(assignee=principal)
    answer = _report(api(), [_row(draft.subject_principal.mobile, "failed"), _row("13912345678", "failed")])
    assert answer.json() == {"received": 2, "recorded": 0}
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize("secret", [None, "", "wrong"])
def test_reports_without_the_shared_secret_are_refused(published, api, settings, secret):
    settings.BEIAN_SMS_REPORT_SECRET = SECRET
    answer = _report(api(), [_row(published.subject_principal.mobile, "failed")], secret=secret)
    assert answer.status_code == 403
    assert not CallAttempt.objects.exists()


def test_no_secret_configured_refuses_every_report(published, api, settings):
    settings.BEIAN_SMS_REPORT_SECRET = ""
    assert _report(api(), [_row(published.subject_principal.mobile, "failed")], secret="").status_code == 403


def test_a_bad_report_is_a_400_and_saves_nothing(published, api, settings):
    settings.BEIAN_SMS_REPORT_SECRET = SECRET
    mobile = published.subject_principal.mobile
    for reports in (
        [_row(mobile, "failed", message_id="c1"), _row(mobile, "lost", message_id="c2")],
        [_row("12345", "failed")],
        [{**_row(mobile, "failed"), "reported_at": "yesterday"}],
        [_row(mobile, "failed", message_id="x" * 65)],
        "not a list",
    ):
        answer = _report(api(), reports)
        assert answer.status_code == 400, reports
    assert (
        api()
        .post(
            "/api/v1/sms/delivery-reports/",
            b"{",
            content_type="application/json",
            HTTP_X_BEIAN_SMS_SECRET=SECRET,
        )
        .status_code
        == 400
    )
    assert not CallAttempt.objects.exists()


# Reviewers' call records through the API (POST/GET /api/v1/filings/{id}/calls/).


def test_reviewer_records_calls_through_the_api(published, reviewer, principal, manager, api):
    person = published.subject_principal
    url = f"/api/v1/filings/{published.pk}/calls/"
    for outcome in ("no_answer", "wrong_person"):
        answer = api(reviewer).post(
            url, {"person_id": person.pk, "number": person.mobile, "outcome": outcome}
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["number"] == person.mobile and answer.json()["channel"] == "call"
    assert _task(published).exists()
    listed = api(reviewer).get(url).json()
    assert [row["outcome"] for row in listed] == ["wrong_person", "no_answer"]
    # A manager sees the records with the numbers masked; the principal sees their own.
    assert api(manager).get(url).json()[0]["number"] != person.mobile
    assert api(principal).get(url).json()[0]["number"] == person.mobile


def test_bad_calls_through_the_api_are_4xx_and_save_nothing(published, reviewer, principal, api):
    person = published.subject_principal
    url = f"/api/v1/filings/{published.pk}/calls/"
    refused = {
        "principal": (
            api(principal),
            {"person_id": person.pk, "number": person.mobile, "outcome": "no_answer"},
        ),
        "sms outcome": (
            api(reviewer),
            {"person_id": person.pk, "number": person.mobile, "outcome": "undelivered"},
        ),
        "other number": (
            api(reviewer),
            {"person_id": person.pk, "number": "13900000000", "outcome": "no_answer"},
        ),
        "other person": (
            api(reviewer),
            {"person_id": 10**9, "number": person.mobile, "outcome": "no_answer"},
        ),
        "future": (
            api(reviewer),
            {
                "person_id": person.pk,
                "number": person.mobile,
                "outcome": "no_answer",
                "called_at": (timezone.now() + timedelta(days=1)).isoformat(),
            },
        ),
        "before the filing": (
            api(reviewer),
            {
                "person_id": person.pk,
                "number": person.mobile,
                "outcome": "no_answer",
                "called_at": (published.created_at - timedelta(days=1)).isoformat(),
            },
        ),
        "bad number": (api(reviewer), {"person_id": person.pk, "number": "abc\x00", "outcome": "no_answer"}),
    }
    for name, (client, body) in refused.items():
        answer = client.post(url, body, format="json")
        assert 400 <= answer.status_code < 500, (name, answer.status_code)
        assert answer.json().get("detail") or answer.json(), name
    assert not CallAttempt.objects.exists()


def test_calls_only_on_published_filings(principal, reviewer, api):
    draft = factories.ready_filing(assignee=principal)
    person = draft.subject_principal
    answer = api(reviewer).post(
        f"/api/v1/filings/{draft.pk}/calls/",
        {"person_id": person.pk, "number": person.mobile, "outcome": "no_answer"},
        format="json",
    )
    assert answer.status_code == 409
    assert api(reviewer).get(f"/api/v1/filings/{draft.pk}/calls/").json() == []
