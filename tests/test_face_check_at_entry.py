"""The authenticity check (真实性核验) in every province: each principal the filing names passes a
face check during entry, before the provider's pre-review; a province's further step is its data."""

import pytest
from django.urls import reverse

from filings.exceptions import ChecksFailed, InvalidInput, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import AuthenticityCheck, FilingEvent, Province
from filings.rules import checks
from filings.services import authenticity, changes, transitions
from tests import factories

pytestmark = pytest.mark.django_db


def draft_with_two_principals(principal, province_code="44"):
    """A ready draft whose website has a principal of its own, before any face check."""
    filing = factories.ready_filing(assignee=principal, province_code=province_code)
    AuthenticityCheck.objects.filter(filing=filing).delete()
    website = filing.websites.get()
    website.principal = factories.PersonFactory()
    website.save()
    factories.add_required_materials(filing)
    AuthenticityCheck.objects.filter(filing=filing).delete()
    return filing, website.principal


def face_results(filing):
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    return checklist, {r.object_id: r.status for r in checklist.results if r.code == "face_check"}


@pytest.mark.parametrize("province_code", ["44", "11", "51", "65"])
def test_every_principal_passes_the_face_check_before_pre_review_in_every_province(principal, province_code):
    Province.objects.filter(code=province_code).update(face_check_hours=None)
    filing, website_principal = draft_with_two_principals(principal, province_code)
    checklist, results = face_results(filing)
    assert results == {filing.subject_principal_id: "fail", website_principal.pk: "fail"}
    with pytest.raises(ChecksFailed):
        transitions.submit_filing(filing, by=principal)
    authenticity.record_entry_face_check(
        filing, by=principal, person_id=filing.subject_principal_id, passed=True
    )
    _checklist, results = face_results(filing)
    assert results == {filing.subject_principal_id: "pass", website_principal.pk: "fail"}
    authenticity.record_entry_face_check(filing, by=principal, person_id=website_principal.pk, passed=True)
    checklist, results = face_results(filing)
    assert checklist.passed, [r.message for r in checklist.failures]
    assert transitions.submit_filing(filing, by=principal).state == State.PROVIDER_REVIEW


def test_a_failed_face_check_is_recorded_with_its_reason_and_can_be_redone(principal):
    filing, website_principal = draft_with_two_principals(principal)
    with pytest.raises(InvalidInput):
        authenticity.record_entry_face_check(
            filing, by=principal, person_id=website_principal.pk, passed=False
        )
    authenticity.record_entry_face_check(
        filing, by=principal, person_id=website_principal.pk, passed=False, reason="光线不足"
    )
    _checklist, results = face_results(filing)
    assert results[website_principal.pk] == "fail"
    assert FilingEvent.objects.filter(filing=filing, transition="face_check_failed").exists()
    authenticity.record_entry_face_check(filing, by=principal, person_id=website_principal.pk, passed=True)
    assert face_results(filing)[1][website_principal.pk] == "pass"


def test_only_the_filings_principals_and_only_during_entry(principal, other_principal, reviewer):
    filing, _website_principal = draft_with_two_principals(principal)
    stranger = factories.PersonFactory()
    with pytest.raises(InvalidInput):
        authenticity.record_entry_face_check(filing, by=principal, person_id=stranger.pk, passed=True)
    with pytest.raises(TransitionNotPermitted):
        authenticity.record_entry_face_check(
            filing, by=other_principal, person_id=filing.subject_principal_id, passed=True
        )
    factories.pass_face_checks(filing)
    filing = transitions.submit_filing(filing, by=principal)
    with pytest.raises(TransitionNotPossible):
        authenticity.record_entry_face_check(
            filing, by=reviewer, person_id=filing.subject_principal_id, passed=True
        )


def test_an_app_filings_app_principal_is_checked_too(published, reviewer):
    payload = factories.app_payload()
    person = factories.PersonFactory.build()
    payload["principal"] = factories.person_payload(person)
    from filings.services import apps

    filing = apps.create_app_filing(
        by=published.assignee,
        subject_id=published.subject_id,
        subject_principal=factories.person_payload(published.subject_principal),
        apps=[payload],
    )
    _checklist, results = face_results(filing)
    assert len(results) == 2 and set(results.values()) == {"fail"}


def test_a_change_checks_only_the_people_whose_part_changed(published, principal):
    change = changes.open_change(published, by=principal)
    assert face_results(change)[1] == {}
    website = change.websites.get()
    website.description = "产品与服务介绍"
    website.save()
    assert face_results(change)[1] == {website.principal_id: "fail"}


def test_the_checklist_page_records_a_passed_face_check(client_for, principal):
    filing, website_principal = draft_with_two_principals(principal)
    client = client_for(principal)
    page = client.get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "记录人脸核验通过" in page and website_principal.name in page
    response = client.post(
        reverse("filings:face-check", args=[filing.pk]),
        {"person_id": website_principal.pk, "outcome": "passed"},
    )
    assert response.status_code == 302
    assert face_results(filing)[1][website_principal.pk] == "pass"


def test_the_api_records_a_principals_face_check(api, principal):
    filing, website_principal = draft_with_two_principals(principal)
    response = api(principal).post(
        f"/api/v1/filings/{filing.pk}/face-check/",
        {"person_id": website_principal.pk, "outcome": "passed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert {"step": "entry", "outcome": "passed"}.items() <= response.json()["authenticity_checks"][0].items()
