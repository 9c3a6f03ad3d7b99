"""An APP, mini-program or quick app as a subject's first filing: started from 新建备案 with the
subject's data, checked, carried through the five stages and numbered -1A/-1X/-1K under the new
subject number."""

import pytest
from django.urls import reverse

from filings.kinds.states import State
from filings.models import Filing, SmsVerifier, Subject
from filings.rules import checks
from filings.services import apps, transitions
from tests import factories
from tests.test_api import payload
from tests.test_app_pages import app_form_data
from tests.test_principal_views import entry_data

pytestmark = pytest.mark.django_db


def first_app_body(kind="app", **identity) -> dict:
    body = payload()
    app = factories.app_payload(kind=kind, name="云帆智能记账助手", package="com.yunfan.ledger")
    app.update(identity)
    return {
        "filing_type": "new_app",
        "province": "44",
        "subject": body["subject"],
        "subject_principal": body["subject_principal"],
        "apps": [app],
    }


def test_an_app_is_a_subjects_first_filing_through_to_its_number(principal, reviewer):
    body = first_app_body()
    filing = apps.create_app_filing(
        by=principal,
        province_id=factories.province("44").pk,
        subject=body["subject"],
        subject_principal=body["subject_principal"],
        apps=body["apps"],
    )
    assert filing.filing_type == Filing.Type.NEW_APP and filing.subject.name == body["subject"]["name"]
    assert not Filing.objects.filter(subject=filing.subject, state=State.PUBLISHED).exists()
    factories.add_required_materials(filing)
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    assert checklist.passed, [r.message for r in checklist.failures]
    filing = transitions.pass_review(transitions.submit_filing(filing, by=principal), by=reviewer)
    assert [v.person_id for v in SmsVerifier.objects.filter(filing=filing)] == [filing.subject_principal_id]
    for verifier in SmsVerifier.objects.filter(filing=filing):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    filing = transitions.approve_filing(filing, by=reviewer, icp_number="粤ICP备2026054321号")
    assert filing.state == State.PUBLISHED
    assert filing.apps.get().icp_number == "粤ICP备2026054321号-1A"


def test_a_mini_program_as_first_filing_through_the_api(api, principal):
    body = first_app_body(kind="mini_program", mini_platform="wechat", appid="wx0a1b2c3d4e5f6a7b")
    response = api(principal).post("/api/v1/filings/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["filing_type"] == "new_app" and data["apps"][0]["appid"] == "wx0a1b2c3d4e5f6a7b"
    assert Subject.objects.get(pk=Filing.objects.get(pk=data["id"]).subject_id).province.code == "44"
    del body["subject"]
    assert api(principal).post("/api/v1/filings/", body, format="json").status_code == 400


def test_a_principal_starts_an_app_first_filing_from_new_filing(client_for, principal):
    client = client_for(principal)
    start = client.get(reverse("filings:create") + "?filing_type=new_app&province=44")
    assert start.status_code == 302
    url = start["Location"]
    page = client.get(url).content.decode()
    assert "备案主体" in page and "主体名称" in page
    subject = {k: v for k, v in entry_data().items() if k.startswith("subject-")}
    person = factories.PersonFactory.build()
    data = {**app_form_data(person), **subject}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    filing = Filing.objects.get(filing_type=Filing.Type.NEW_APP)
    assert filing.subject.name == subject["subject-name"] and filing.province.code == "44"
    edit = client.get(reverse("filings:app-edit", args=[filing.pk])).content.decode()
    assert subject["subject-name"] in edit  # the first filing's subject stays editable
    missing = client.post(url, {**data, "subject-name": ""})
    assert missing.status_code == 400
