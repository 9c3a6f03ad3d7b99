"""New access (新增接入): a filing from another provider taken in under its existing ICP numbers,
checked in pre-review, SMS to the website's principal only, published keeping the numbers."""

import pytest
from django.test import Client
from django.urls import reverse

from filings.exceptions import InvalidInput
from filings.kinds.states import State
from filings.models import Filing, SmsVerifier
from filings.rules import checks
from filings.services import transitions
from tests import factories
from tests.test_api import payload
from tests.test_principal_views import entry_data

SUBJECT = "粤ICP备2019012345号"


def access_body(**overrides) -> dict:
    body = payload()
    body["filing_type"] = "new_access"
    body["existing_icp_number"] = SUBJECT
    body["websites"][0]["icp_number"] = f"{SUBJECT}-3"
    body.update(overrides)
    return body


def test_new_access_through_the_api_keeps_its_numbers_to_publication(api, principal, reviewer):
    response = api(principal).post("/api/v1/filings/", access_body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["filing_type"] == "new_access" and data["icp_number"] == SUBJECT
    assert data["websites"][0]["icp_number"] == f"{SUBJECT}-3"
    filing = Filing.objects.get(pk=data["id"])
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    assert {r.code for r in checklist.results} >= {"access_subject_number", "access_website_number"}
    factories.add_required_materials(filing)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    verifiers = list(SmsVerifier.objects.filter(filing=filing))
    website = filing.websites.get()
    assert [v.person_id for v in verifiers] == [website.principal_id]
    filing = transitions.record_sms_verification(filing, verifier_id=verifiers[0].pk, by=reviewer)
    with pytest.raises(InvalidInput, match="新增接入沿用原备案号"):
        transitions.approve_filing(filing, by=reviewer, icp_number="粤ICP备2026000001号")
    filing = transitions.approve_filing(filing, by=reviewer, icp_number=SUBJECT)
    assert filing.state == State.PUBLISHED
    assert filing.websites.get().icp_number == f"{SUBJECT}-3"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"existing_icp_number": "京ICP备2019012345号"}, "与备案省份一致"),
        ({"existing_icp_number": "粤ICP备12号"}, "格式"),
    ],
)
def test_new_access_refuses_numbers_that_do_not_fit(api, principal, overrides, message):
    response = api(principal).post("/api/v1/filings/", access_body(**overrides), format="json")
    assert response.status_code == 400
    assert message in str(response.json())
    assert not Filing.objects.exists()


def test_new_access_refuses_an_app_suffix_and_a_number_of_another_subject(api, principal):
    body = access_body()
    body["websites"][0]["icp_number"] = f"{SUBJECT}-3A"
    response = api(principal).post("/api/v1/filings/", body, format="json")
    assert response.status_code == 400 and "应用后缀" in str(response.json())
    body["websites"][0]["icp_number"] = "粤ICP备2019099999号-1"
    assert api(principal).post("/api/v1/filings/", body, format="json").status_code == 400
    body = access_body()
    del body["existing_icp_number"]
    assert api(principal).post("/api/v1/filings/", body, format="json").status_code == 400


def test_a_website_already_hosted_here_is_refused(api, principal, other_principal):
    assert api(principal).post("/api/v1/filings/", access_body(), format="json").status_code == 201
    response = api(other_principal).post("/api/v1/filings/", access_body(), format="json")
    assert response.status_code == 400
    assert "已由本服务商接入" in str(response.json())


def test_new_access_through_the_pages(principal):
    client = Client()
    client.force_login(principal)
    url = reverse("filings:create") + "?filing_type=new_access&province=44"
    page = client.get(url).content.decode()
    assert "原主体备案号" in page
    data = entry_data()
    refused = client.post(
        url, {**data, "access-icp_number": "京ICP备2019012345号", "access-website_numbers": f"{SUBJECT}-2"}
    )
    assert refused.status_code == 400 and "与备案省份一致" in refused.content.decode()
    response = client.post(
        url, {**data, "access-icp_number": SUBJECT, "access-website_numbers": f"{SUBJECT}-2"}
    )
    assert response.status_code == 302
    filing = Filing.objects.get(filing_type=Filing.Type.NEW_ACCESS)
    assert filing.icp_number == SUBJECT and filing.websites.get().icp_number == f"{SUBJECT}-2"


def test_the_edit_page_corrects_the_existing_numbers(principal):
    client = Client()
    client.force_login(principal)
    url = reverse("filings:create") + "?filing_type=new_access&province=44"
    client.post(url, {**entry_data(), "access-icp_number": SUBJECT, "access-website_numbers": f"{SUBJECT}-2"})
    filing = Filing.objects.get(filing_type=Filing.Type.NEW_ACCESS)
    edit = reverse("filings:edit", args=[filing.pk])
    page = client.get(edit).content.decode()
    assert f"{SUBJECT}-2" in page and "原网站备案号" in page
    website = filing.websites.get()
    data = {
        **entry_data(),
        "version": filing.version,
        "websites-INITIAL_FORMS": "1",
        "websites-0-id": website.pk,
        "websites-0-domains-INITIAL_FORMS": "1",
        "websites-0-domains-0-id": website.domains.get().pk,
        "access-icp_number": SUBJECT,
        "access-website_numbers": f"{SUBJECT}-5",
    }
    refused = client.post(edit, {**data, "access-website_numbers": f"{SUBJECT}-5A"})
    assert refused.status_code == 400 and "应用后缀" in refused.content.decode()
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    website.refresh_from_db()
    assert website.icp_number == f"{SUBJECT}-5"


def _publish_access(filing: Filing, *, principal, reviewer) -> Filing:
    factories.add_required_materials(filing)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    return transitions.approve_filing(filing, by=reviewer, icp_number=SUBJECT)


def test_new_access_takes_over_the_sites_public_security_number(api, principal, reviewer):
    from filings.models import Deadline

    body = access_body(existing_psb_number="粤公网安备 44030502001234号")
    response = api(principal).post("/api/v1/filings/", body, format="json")
    assert response.status_code == 201, response.json()
    filing = _publish_access(
        Filing.objects.get(pk=response.json()["id"]), principal=principal, reviewer=reviewer
    )
    assert filing.psb_number == "粤公网安备44030502001234号"
    # A site already registered with the police owes no new registration within 30 days.
    assert not Deadline.objects.filter(filing=filing, kind=Deadline.Kind.PUBLIC_SECURITY).exists()


def test_new_access_with_its_public_security_number_is_not_asked_for_one(client, api, principal, reviewer):
    body = access_body(existing_psb_number="粤公网安备44030502001234号")
    response = api(principal).post("/api/v1/filings/", body, format="json")
    filing = _publish_access(
        Filing.objects.get(pk=response.json()["id"]), principal=principal, reviewer=reviewer
    )
    approval = filing.events.get(transition="approve")
    client.force_login(principal)
    inbox = client.get(reverse("alert-inbox")).content.decode()
    card = inbox.split(f'id="decision-{approval.pk}"', 1)[1].split("</article>", 1)[0]
    assert "[管局审核通过]" in card
    assert "登记公安联网备案号" not in card and f'href="/filings/{filing.pk}/">查看备案 →' in card


def test_new_access_without_a_public_security_number_opens_the_30_days(api, principal, reviewer):
    from filings.models import Deadline

    response = api(principal).post("/api/v1/filings/", access_body(), format="json")
    filing = _publish_access(
        Filing.objects.get(pk=response.json()["id"]), principal=principal, reviewer=reviewer
    )
    assert Deadline.objects.filter(
        filing=filing, kind=Deadline.Kind.PUBLIC_SECURITY, closed_at__isnull=True
    ).exists()


def test_new_access_refuses_a_public_security_number_of_another_province(api, principal):
    body = access_body(existing_psb_number="京公网安备11010502030143号")
    response = api(principal).post("/api/v1/filings/", body, format="json")
    assert response.status_code == 400 and "psb_number" in response.json()["errors"]
    assert not Filing.objects.exists()


def test_new_access_page_takes_the_public_security_number(principal):
    client = Client()
    client.force_login(principal)
    url = reverse("filings:create") + "?filing_type=new_access&province=44"
    assert "已有的公安联网备案号" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            **entry_data(),
            "access-icp_number": SUBJECT,
            "access-website_numbers": f"{SUBJECT}-2",
            "access-psb_number": "粤公网安备44030502001234号",
        },
    )
    assert response.status_code == 302
    assert Filing.objects.get().psb_number == "粤公网安备44030502001234号"
