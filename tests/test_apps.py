"""APP, mini-program and quick-app filings: numbers, fingerprints, package names, the five stages."""

import pytest
from django.core.exceptions import ValidationError

from filings.exceptions import ChecksFailed, InvalidInput
from filings.formats.validators import (
    validate_fingerprint,
    validate_icp_app_number,
    validate_icp_website_number,
    validate_package_name,
)
from filings.kinds.states import State
from filings.models import App, AppPlatform, Filing, SmsVerifier
from filings.rules import checks
from filings.services import apps, transitions
from tests import factories

SUBJECT = "浙ICP备2026012345号"


@pytest.mark.parametrize(
    ("number", "kind"),
    [(f"{SUBJECT}-2A", "app"), (f"{SUBJECT}-3X", "mini_program"), (f"{SUBJECT}-12K", "quick_app")],
)
def test_app_numbers_with_their_suffix_are_accepted(number, kind):
    validate_icp_app_number(number, subject_number=SUBJECT, kind=kind)


@pytest.mark.parametrize(
    ("number", "kind", "code"),
    [
        (f"{SUBJECT}-2X", "app", "icp_app_suffix"),
        (f"{SUBJECT}-2A", "quick_app", "icp_app_suffix"),
        (f"{SUBJECT}-2", "app", "icp_app_format"),
        (f"{SUBJECT}-A", "app", "icp_app_format"),
        ("浙ICP备2026099999号-2A", "app", "icp_app_format"),
        (f"{SUBJECT}-0A", "app", "icp_app_format"),
    ],
)
def test_wrong_app_numbers_are_refused(number, kind, code):
    with pytest.raises(ValidationError) as error:
        validate_icp_app_number(number, subject_number=SUBJECT, kind=kind)
    assert error.value.code == code


def test_an_app_suffix_on_a_website_number_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_icp_website_number(f"{SUBJECT}-2A", subject_number=SUBJECT)
    assert error.value.code == "icp_website_app_suffix"
    assert "应用后缀" in error.value.messages[0]
    validate_icp_website_number(f"{SUBJECT}-2", subject_number=SUBJECT)


@pytest.mark.parametrize(
    "value",
    [
        factories.MD5,
        factories.SHA1,
        factories.MD5.upper(),
        ":".join(factories.SHA1[i : i + 2] for i in range(0, 40, 2)),
    ],
)
def test_md5_and_sha1_fingerprints_are_accepted(value):
    validate_fingerprint(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (factories.MD5[:-1], "fingerprint_length"),
        (factories.SHA1 + "ab", "fingerprint_length"),
        ("0" * 64, "fingerprint_length"),
        ("g" * 32, "fingerprint_chars"),
        ("", "fingerprint_length"),
    ],
)
def test_fingerprints_of_the_wrong_length_or_characters_are_refused(value, code):
    with pytest.raises(ValidationError) as error:
        validate_fingerprint(value)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("value", "platform", "ok"),
    [
        ("com.example.app", "android", True),
        ("com.example.my_app", "harmony", True),
        ("com.example-co.app", "ios", True),
        ("com.example-co.app", "android", False),
        ("example", "android", False),
        ("1com.example", "android", False),
        ("wx1234567890abcdef", "other", True),
        ("has space.app", "ios", False),
    ],
)
def test_package_name_formats(value, platform, ok):
    if ok:
        validate_package_name(value, platform=platform)
    else:
        with pytest.raises(ValidationError):
            validate_package_name(value, platform=platform)


def test_app_filing_goes_through_the_five_stages_to_an_na_number(published, principal, reviewer):
    filing = factories.ready_app_filing(published)
    assert filing.filing_type == Filing.Type.NEW_APP
    assert filing.subject_id == published.subject_id
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    assert checklist.passed, [r.message for r in checklist.failures]
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    assert filing.state == State.SMS_VERIFICATION
    verifiers = list(SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit))
    assert [v.person_id for v in verifiers] == [filing.subject_principal_id]
    filing = transitions.record_sms_verification(filing, verifier_id=verifiers[0].pk, by=reviewer)
    assert filing.state == State.BUREAU_REVIEW
    filing = transitions.approve_filing(filing, by=reviewer, icp_number=published.icp_number)
    assert filing.state == State.PUBLISHED
    app = filing.apps.get()
    # The subject's first website holds -1, so the app is the second in the subject's sequence.
    assert app.icp_number == f"{published.icp_number}-2A"
    assert filing.events.filter(transition="approve").exists()


def test_mini_program_and_quick_app_take_x_and_k(published, reviewer):
    filing = factories.ready_app_filing(published, kind="mini_program", package="wx1234567890abcdef")
    filing = factories.publish(filing, reviewer=reviewer, icp_number=published.icp_number)
    assert filing.apps.get().icp_number == f"{published.icp_number}-2X"
    second = factories.ready_app_filing(
        published, kind="quick_app", package="com.xinghe.quick", name="星河快捷记账"
    )
    second = factories.publish(second, reviewer=reviewer, icp_number=published.icp_number)
    assert second.apps.get().icp_number == f"{published.icp_number}-3K"


def test_approval_refuses_a_wrong_suffix_and_a_taken_sequence(published, principal, reviewer):
    filing = factories.carry_to_bureau(factories.ready_app_filing(published), reviewer=reviewer)
    app = filing.apps.get()
    with pytest.raises(InvalidInput, match="后缀应为“A”"):
        transitions.approve_filing(
            filing,
            by=reviewer,
            icp_number=published.icp_number,
            app_numbers={app.pk: f"{published.icp_number}-2X"},
        )
    with pytest.raises(InvalidInput, match="序号已被"):
        transitions.approve_filing(
            filing,
            by=reviewer,
            icp_number=published.icp_number,
            app_numbers={app.pk: f"{published.icp_number}-1A"},
        )
    filing.refresh_from_db()
    assert filing.state == State.BUREAU_REVIEW
    assert App.objects.get(pk=app.pk).icp_number == ""


def test_app_filing_needs_a_published_subject(principal):
    draft = factories.ready_filing(assignee=principal)
    with pytest.raises(InvalidInput, match="已公示备案的主体"):
        apps.create_app_filing(
            by=principal,
            subject_id=draft.subject_id,
            subject_principal=factories.person_payload(draft.subject_principal),
            apps=[factories.app_payload()],
        )


def test_a_fingerprint_of_the_wrong_length_is_refused_and_nothing_is_saved(published):
    payload = factories.app_payload()
    payload["platforms"][0]["fingerprint"] = factories.MD5[:30]
    before = Filing.objects.count()
    with pytest.raises(InvalidInput) as error:
        apps.create_app_filing(
            by=published.assignee,
            subject_id=published.subject_id,
            subject_principal=factories.person_payload(published.subject_principal),
            apps=[payload],
        )
    assert "apps.0.platforms.0.fingerprint" in error.value.details
    assert "当前为30位" in str(error.value.message)
    assert Filing.objects.count() == before


def test_fingerprints_are_stored_normalised(published):
    payload = factories.app_payload()
    payload["platforms"][1]["fingerprint"] = ":".join(
        factories.IOS_MD5[i : i + 2] for i in range(0, 32, 2)
    ).upper()
    filing = apps.create_app_filing(
        by=published.assignee,
        subject_id=published.subject_id,
        subject_principal=factories.person_payload(published.subject_principal),
        apps=[payload],
    )
    assert AppPlatform.objects.get(app__filing=filing, platform="ios").fingerprint == factories.IOS_MD5


def test_a_package_name_filed_under_another_open_filing_fails_the_checklist(
    principal, other_principal, reviewer
):
    first = factories.published_filing(assignee=principal, reviewer=reviewer)
    factories.ready_app_filing(first, package="com.shared.app")
    second = factories.published_filing(assignee=other_principal, reviewer=reviewer)
    filing = factories.ready_app_filing(second, package="com.shared.app", name="云帆智能记账助手")
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    failed = {r.code for r in checklist.failures}
    assert failed == {"app_package_unique"}
    with pytest.raises(ChecksFailed):
        transitions.submit_filing(filing, by=other_principal)


def test_a_package_of_a_withdrawn_filing_is_free_again(principal, other_principal, reviewer):
    first = factories.published_filing(assignee=principal, reviewer=reviewer)
    old = factories.ready_app_filing(first, package="com.shared.app")
    transitions.withdraw_filing(old, by=principal)
    second = factories.published_filing(assignee=other_principal, reviewer=reviewer)
    filing = factories.ready_app_filing(second, package="com.shared.app", name="云帆智能记账助手")
    assert checks.run_submission_checks(checks.load_filing_for_checks(filing.pk)).passed


def test_app_name_and_prior_approval_rules_apply(published):
    filing = factories.ready_app_filing(published, name="中国游戏平台")
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    failed = {r.code for r in checklist.failures}
    assert "app_name" in failed
    # The word alone asks whether the app provides games; declaring it needs the approval.
    assert "prior_approval_question" in {r.code for r in checklist.warnings}
    filing.apps.update(service_content="games")
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    assert "prior_approval" in {r.code for r in checklist.failures}


def test_app_principal_of_its_own_gets_the_sms(published, reviewer):
    payload = factories.app_payload()
    person = factories.PersonFactory.build()
    payload["principal"] = factories.person_payload(person)
    filing = apps.create_app_filing(
        by=published.assignee,
        subject_id=published.subject_id,
        subject_principal=factories.person_payload(published.subject_principal),
        apps=[payload],
    )
    factories.add_required_materials(filing)
    assert any(
        kind == "id_front" and "应用负责人" in label
        for kind, _slot, label in checks.required_materials(checks.load_filing_for_checks(filing.pk))
    )
    filing = transitions.submit_filing(filing, by=published.assignee)
    filing = transitions.pass_review(filing, by=reviewer)
    mobiles = set(SmsVerifier.objects.filter(filing=filing).values_list("mobile", flat=True))
    assert mobiles == {published.subject_principal.mobile, person.mobile}


# Through the API.


def test_api_files_an_app_and_a_reviewer_takes_it_to_publication(api, published, principal, reviewer):
    client = api(principal)
    body = {
        "filing_type": "new_app",
        "subject_id": published.subject_id,
        "subject_principal": factories.person_payload(published.subject_principal),
        "apps": [factories.app_payload()],
    }
    body["subject_principal"]["id_valid_until"] = str(body["subject_principal"]["id_valid_until"])
    response = client.post("/api/v1/filings/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["filing_type"] == "new_app"
    assert data["websites"] == []
    assert data["apps"][0]["platforms"][0]["fingerprint"] == factories.MD5
    filing = Filing.objects.get(pk=data["id"])
    factories.add_required_materials(filing)
    assert (
        client.post(f"/api/v1/filings/{filing.pk}/transitions/submit/", {}, format="json").status_code == 200
    )
    staff = api(reviewer)
    assert (
        staff.post(f"/api/v1/filings/{filing.pk}/transitions/pass_review/", {}, format="json").status_code
        == 200
    )
    verifier = SmsVerifier.objects.get(
        filing=filing, stage_visit=Filing.objects.get(pk=filing.pk).stage_visit
    )
    response = staff.post(
        f"/api/v1/filings/{filing.pk}/transitions/complete_sms/", {"verifier_id": verifier.pk}, format="json"
    )
    assert response.json()["state"] == "bureau_review"
    app_id = data["apps"][0]["id"]
    response = staff.post(
        f"/api/v1/filings/{filing.pk}/transitions/approve/",
        {"icp_number": published.icp_number, "app_numbers": {str(app_id): f"{published.icp_number}-2"}},
        format="json",
    )
    assert response.status_code == 400
    assert "应用备案号" in response.json()["detail"] or "app_numbers" in str(response.json())
    response = staff.post(
        f"/api/v1/filings/{filing.pk}/transitions/approve/",
        {"icp_number": published.icp_number, "app_numbers": {str(app_id): f"{published.icp_number}-2A"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["apps"][0]["icp_number"] == f"{published.icp_number}-2A"
    listed = client.get("/api/v1/filings/", {"filing_type": "new_app"}).json()
    assert [row["id"] for row in listed["results"]] == [filing.pk]
    assert client.get("/api/v1/filings/", {"filing_type": "nonsense"}).status_code == 400


def test_api_refuses_a_wrong_fingerprint_with_a_400(api, published, principal):
    payload = factories.app_payload()
    payload["platforms"][0]["fingerprint"] = "abc123"
    body = {
        "filing_type": "new_app",
        "subject_id": published.subject_id,
        "subject_principal": factories.person_payload(published.subject_principal),
        "apps": [payload],
    }
    body["subject_principal"]["id_valid_until"] = str(body["subject_principal"]["id_valid_until"])
    response = api(principal).post("/api/v1/filings/", body, format="json")
    assert response.status_code == 400
    assert "32位" in str(response.json())


def test_api_app_filing_needs_subject_and_apps(api, principal):
    response = api(principal).post(
        "/api/v1/filings/", {"filing_type": "new_app", "subject_principal": {}}, format="json"
    )
    assert response.status_code == 400
