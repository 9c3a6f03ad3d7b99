"""Cancellations: 注销网站 through pre-review, SMS and the bureau; 取消接入 ending at the provider; the
short form's refusals (not published, no confirmation, already cancelled, a second one under way)."""

import pytest
from django.urls import reverse

from filings.exceptions import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import Cancellation, Filing, SmsVerifier
from filings.rules import checks
from filings.services import cancellations, changes, transitions
from tests import factories


def test_cancel_website_goes_through_the_bureau_and_cancels_only_that_website(published, principal, reviewer):
    filing = factories.cancel_website(published, principal, explanation="业务调整")
    assert filing.filing_type == Filing.Type.CANCEL and filing.target_id == published.pk
    loaded = checks.load_filing_for_checks(filing.pk)
    assert {kind for kind, _slot, _label in checks.required_materials(loaded)} == {
        "business_licence",
        "id_front",
        "id_back",
    }
    assert not checks.run_submission_checks(loaded).passed
    factories.add_required_materials(filing)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    verifiers = list(SmsVerifier.objects.filter(filing=filing))
    assert [v.person_id for v in verifiers] == [published.subject_principal_id]
    filing = transitions.record_sms_verification(filing, verifier_id=verifiers[0].pk, by=reviewer)
    assert filing.state == State.BUREAU_REVIEW
    website = published.websites.get()
    assert website.cancelled_at is None  # nothing changes before the bureau decides
    with pytest.raises(TransitionNotPossible):
        transitions.approve_filing(filing, by=reviewer, icp_number=published.icp_number)
    filing = cancellations.approve_cancellation(filing, by=reviewer)
    assert filing.state == State.PUBLISHED
    website.refresh_from_db()
    assert website.cancelled_at is not None
    assert published.events.filter(transition="cancellation_applied").exists()
    assert Cancellation.objects.get(filing=filing).applied_at is not None
    assert not filing.deadlines.filter(closed_at__isnull=True).exists()


def test_cancel_access_ends_at_the_provider_without_sms(published, principal, reviewer):
    website = published.websites.get()
    filing = factories.cancel_website(
        published, principal, scope="access", next_provider="杭州云接入有限公司"
    )
    assert filing.filing_type == Filing.Type.CANCEL_ACCESS
    assert checks.required_materials(checks.load_filing_for_checks(filing.pk)) == []
    filing = transitions.submit_filing(filing, by=principal)
    assert "pass_review" not in [t.name for t in filing.get_available_state_transitions()]
    filing = cancellations.finish_access_cancellation(filing, by=reviewer)
    assert filing.state == State.PUBLISHED
    assert not SmsVerifier.objects.filter(filing=filing).exists()
    assert not filing.events.filter(transition__in=["pass_review", "complete_sms", "approve"]).exists()
    website.refresh_from_db()
    assert website.access_cancelled_at is not None and website.cancelled_at is None
    assert website.server_provider == "杭州云接入有限公司"


def test_cancel_access_with_no_next_provider_leaves_a_shell(published, principal, reviewer):
    filing = factories.cancel_website(published, principal, scope="access", reason="hosting_ended")
    assert filing.cancellation.leaves_shell
    filing = cancellations.finish_access_cancellation(
        transitions.submit_filing(filing, by=principal), by=reviewer
    )
    assert "空壳" in filing.events.get(transition="finish_at_provider").comment


def test_finish_at_provider_is_only_for_cancel_access(published, principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    with pytest.raises(TransitionNotPossible):
        cancellations.finish_access_cancellation(filing, by=reviewer)
    access = factories.cancel_website(published, principal, scope="access")
    access = transitions.submit_filing(access, by=principal)
    with pytest.raises(TransitionNotPermitted):
        cancellations.finish_access_cancellation(access, by=principal)


def test_cancel_of_something_not_published_is_refused(principal, filing):
    with pytest.raises(TransitionNotPossible, match="只有已公示的备案可以注销网站"):
        factories.cancel_website(filing, principal)


def test_cancel_needs_the_confirmation_and_a_website_of_the_filing(
    published, principal, other_principal, reviewer
):
    with pytest.raises(InvalidInput, match="请确认"):
        factories.cancel_website(published, principal, confirm=False)
    other = factories.published_filing(assignee=other_principal, reviewer=reviewer)
    with pytest.raises(InvalidInput, match="请选择该备案中"):
        factories.cancel_website(published, principal, website_id=other.websites.get().pk)
    with pytest.raises(InvalidInput):
        factories.cancel_website(published, principal, reason="bogus")
    assert not Filing.objects.filter(filing_type=Filing.Type.CANCEL).exists()


def test_a_cancelled_website_cannot_be_cancelled_again(published, principal, reviewer):
    filing = factories.cancel_website(published, principal)
    factories.add_required_materials(filing)
    filing = factories.carry_to_bureau(filing, reviewer=reviewer)
    cancellations.approve_cancellation(filing, by=reviewer)
    with pytest.raises(TransitionNotPossible, match="已注销"):
        factories.cancel_website(published, principal)


def test_one_change_or_cancellation_at_a_time(published, principal):
    change = changes.open_change(published, by=principal)
    with pytest.raises(InvalidInput, match="同一主体同时只能有一个"):
        factories.cancel_website(published, principal)
    transitions.withdraw_filing(change, by=principal)
    factories.cancel_website(published, principal)
    with pytest.raises(InvalidInput, match="注销备案"):
        changes.open_change(published, by=principal)


def test_cancel_by_someone_else_is_refused(published, other_principal):
    with pytest.raises(TransitionNotPermitted):
        factories.cancel_website(published, other_principal)


# Pages and API.


def test_cancel_website_through_the_short_form_and_the_reviewer_page(
    client_for, published, principal, reviewer
):
    client = client_for(principal)
    website = published.websites.get()
    detail = client.get(published.get_absolute_url()).content.decode()
    assert "注销网站" in detail and "取消接入" in detail
    url = reverse("filings:cancel-open", args=[published.pk])
    form = client.get(url + f"?scope=website&website={website.pk}").content.decode()
    assert website.name in form
    refused = client.post(url, {"scope": "website", "website": website.pk, "reason": "closed"})
    assert refused.status_code == 400 and "请确认" in refused.content.decode()
    values = {"scope": "website", "website": website.pk, "reason": "closed", "confirm": "on"}
    proposed = client.post(url, values)
    assert proposed.status_code == 400 and "空壳主体" in proposed.content.decode()
    response = client.post(url, {**values, "last_item": "keep_subject"})
    filing = Filing.objects.get(filing_type=Filing.Type.CANCEL)
    assert response.status_code == 302 and response["Location"] == filing.get_absolute_url()
    page = client.get(filing.get_absolute_url()).content.decode()
    assert "注销网站" in page and "网站或应用不再运营" in page
    factories.add_required_materials(filing)
    filing = factories.carry_to_bureau(filing, reviewer=reviewer)
    staff = client_for(reviewer)
    assert "记录注销完成" in staff.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    assert staff.post(reverse("filings:review-approve", args=[filing.pk])).status_code == 302
    assert "已注销" in client.get(published.get_absolute_url()).content.decode()


def test_cancel_access_through_the_pages(client_for, published, principal, reviewer):
    client = client_for(principal)
    website = published.websites.get()
    client.post(
        reverse("filings:cancel-open", args=[published.pk]),
        {
            "scope": "access",
            "website": website.pk,
            "reason": "moved",
            "next_provider": "杭州云",
            "confirm": "on",
        },
    )
    filing = transitions.submit_filing(
        Filing.objects.get(filing_type=Filing.Type.CANCEL_ACCESS), by=principal
    )
    staff = client_for(reviewer)
    page = staff.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    assert "取消接入完成" in page and "初审通过</button>" not in page
    refused = staff.post(reverse("filings:review-pass", args=[filing.pk]))
    assert refused.status_code in (400, 409) and "取消接入在服务商处完成" in refused.content.decode()
    response = staff.post(reverse("filings:review-finish-access", args=[filing.pk]))
    assert response.status_code == 302
    assert Filing.objects.get(pk=filing.pk).state == State.PUBLISHED
    assert "已取消接入" in client.get(published.get_absolute_url()).content.decode()


def test_cancel_of_an_unpublished_filing_through_the_page_is_a_4xx(client_for, principal, filing):
    response = client_for(principal).post(
        reverse("filings:cancel-open", args=[filing.pk]),
        {"scope": "website", "website": filing.websites.get().pk, "reason": "closed", "confirm": "on"},
    )
    assert response.status_code in (400, 409)
    assert "只有已公示的备案" in response.content.decode()


def test_cancellations_through_the_api(api, published, principal, reviewer):
    client = api(principal)
    website = published.websites.get()
    response = client.post(
        f"/api/v1/filings/{published.pk}/cancel/",
        {"scope": "access", "website_id": website.pk, "reason": "moved", "confirm": False},
        format="json",
    )
    assert response.status_code == 400
    response = client.post(
        f"/api/v1/filings/{published.pk}/cancel/",
        {
            "scope": "access",
            "website_id": website.pk,
            "reason": "moved",
            "confirm": True,
            "next_provider": "杭州云",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["filing_type"] == "cancel_access" and data["cancellation"]["scope"] == "access"
    assert (
        client.post(f"/api/v1/filings/{data['id']}/transitions/submit/", {}, format="json").status_code == 200
    )
    staff = api(reviewer)
    assert staff.post(
        f"/api/v1/filings/{data['id']}/transitions/pass_review/", {}, format="json"
    ).status_code in (
        400,
        409,
    )
    response = staff.post(f"/api/v1/filings/{data['id']}/transitions/finish_at_provider/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "published"
    detail = client.get(f"/api/v1/filings/{published.pk}/").json()
    assert detail["websites"][0]["access_cancelled_at"] is not None


def test_cancel_app_cancels_only_that_app(published, principal, reviewer):
    app_filing = factories.publish(
        factories.ready_app_filing(published), reviewer=reviewer, icp_number=published.icp_number
    )
    app = app_filing.apps.get()
    filing = cancellations.open_cancellation(
        app_filing, by=principal, scope="app", reason="closed", confirm=True, app_id=app.pk
    )
    factories.add_required_materials(filing)
    filing = factories.carry_to_bureau(filing, reviewer=reviewer)
    cancellations.approve_cancellation(filing, by=reviewer)
    app.refresh_from_db()
    assert app.cancelled_at is not None
    assert published.websites.get().cancelled_at is None
    with pytest.raises(TransitionNotPossible, match="已注销"):
        cancellations.open_cancellation(
            app_filing, by=principal, scope="app", reason="closed", confirm=True, app_id=app.pk
        )


# The last website or app: cancelling the subject is proposed, the principal chooses.


def test_cancelling_the_last_website_proposes_cancelling_the_subject(published, principal):
    website = published.websites.get()
    values = {"scope": "website", "reason": "closed", "confirm": True, "website_id": website.pk}
    with pytest.raises(InvalidInput, match="空壳主体") as proposed:
        cancellations.open_cancellation(published, by=principal, **values)
    assert "last_item" in proposed.value.details
    assert not Filing.objects.filter(filing_type=Filing.Type.CANCEL).exists()
    filing = cancellations.open_cancellation(published, by=principal, last_item="cancel_subject", **values)
    assert filing.cancellation.scope == "subject" and filing.cancellation.website is None


def test_the_principal_may_keep_the_shell_subject_and_the_history_says_so(published, principal):
    filing = factories.cancel_website(published, principal, last_item="keep_subject")
    assert filing.cancellation.scope == "website"
    assert "空壳主体" in str(filing.events.get(transition="create").shown_comment)


def test_a_website_that_is_not_the_last_is_cancelled_without_a_question(published, principal):
    website = published.websites.get()
    other = published.websites.get()
    other.pk, other.position, other.name = None, 2, "星河科技产品站"
    other.save()
    filing = cancellations.open_cancellation(
        published, by=principal, scope="website", reason="closed", confirm=True, website_id=website.pk
    )
    assert filing.cancellation.scope == "website"


def test_cancelling_the_last_app_proposes_the_subject_through_the_api(api, published, principal, reviewer):
    app_filing = factories.publish(factories.ready_app_filing(published), reviewer=reviewer)
    website = published.websites.get()
    factories.cancel_website(published, principal)
    cancel = Filing.objects.get(filing_type=Filing.Type.CANCEL)
    factories.add_required_materials(cancel)
    cancel = factories.carry_to_bureau(cancel, reviewer=reviewer)
    cancellations.approve_cancellation(cancel, by=reviewer)
    assert published.websites.get(pk=website.pk).cancelled_at is not None
    app = app_filing.apps.get()
    body = {"scope": "app", "app_id": app.pk, "reason": "closed", "confirm": True}
    response = api(principal).post(f"/api/v1/filings/{app_filing.pk}/cancel/", body, format="json")
    assert response.status_code == 400 and "空壳主体" in str(response.json())
    body["last_item"] = "cancel_subject"
    response = api(principal).post(f"/api/v1/filings/{app_filing.pk}/cancel/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["cancellation"]["scope"] == "subject"


def test_the_short_form_offers_only_what_the_filing_has_and_asks_for_a_missing_website(
    client_for, published, principal
):
    client = client_for(principal)
    url = reverse("filings:cancel-open", args=[published.pk])
    form = client.get(url + "?scope=subject").content.decode()
    assert not published.apps.exists()
    assert 'value="website"' in form and 'value="access"' in form and 'value="app"' not in form

    refused = client.post(url, {"scope": "website", "reason": "closed", "confirm": "on"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "请选择本备案的网站" in page and "网站不属于该备案" not in page
    assert client.post(url, {"scope": "app", "reason": "closed", "confirm": "on"}).status_code == 400
    assert not Filing.objects.filter(filing_type=Filing.Type.CANCEL).exists()
