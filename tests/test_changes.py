"""Changes (变更备案): a draft copy, its diff, checks and SMS of the changed parts, one open change per
subject, and on approval the published data replaced under the same ICP number with history."""

import re

import pytest
from django.urls import reverse

from filings.exceptions import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import Filing, FilingEvent, SmsVerifier, Subject
from filings.rules import checks
from filings.rules.change_diff import change_diff
from filings.services import apps, changes, drafts, transitions
from tests import factories


def entry_payload(change: Filing, **subject) -> dict:
    website = change.websites.get()
    return {
        "subject": subject,
        "websites": [
            {
                "id": website.pk,
                "name": website.name,
                "homepage": website.homepage,
                "service_content": website.service_content,
                "description": website.description,
                "languages": website.languages,
                "server_provider": website.server_provider,
                "server_ip": website.server_ip,
                "server_valid_until": website.server_valid_until,
                "principal": {"same_as_subject_principal": True},
                "domains": [
                    {"id": d.pk, **{f: getattr(d, f) for f in drafts.DOMAIN_FIELDS}}
                    for d in website.domains.all()
                ],
                "prior_approvals": [],
            }
        ],
    }


def test_open_change_copies_the_published_data_without_touching_it(published, principal):
    change = changes.open_change(published, by=principal)
    assert change.filing_type == Filing.Type.CHANGE and change.state == State.ENTRY
    assert change.target_id == published.pk and change.icp_number == published.icp_number
    assert change.subject_id != published.subject_id
    assert change.subject.name == published.subject.name
    copy = change.websites.get()
    assert (
        copy.source_id == published.websites.get().pk
        and copy.icp_number == published.websites.get().icp_number
    )
    assert not change_diff(change).any
    assert published.events.filter(transition="change_opened").exists()


def test_change_diff_shows_each_changed_field(published, principal):
    change = changes.open_change(published, by=principal)
    drafts.update_filing(
        change,
        by=principal,
        expected_version=change.version,
        **entry_payload(change, postal_address="广东省深圳市福田区新地址2号"),
    )
    parts = change_diff(Filing.objects.get(pk=change.pk))
    assert [(r.field, r.old, r.new) for r in parts.rows] == [
        ("subject.postal_address", published.subject.postal_address, "广东省深圳市福田区新地址2号")
    ]
    assert parts.subject and not parts.websites
    published.subject.refresh_from_db()
    assert published.subject.postal_address != "广东省深圳市福田区新地址2号"


def test_a_change_with_nothing_changed_cannot_be_submitted(published, principal):
    change = changes.open_change(published, by=principal)
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(change.pk))
    assert {r.code for r in checklist.failures} == {"change_has_changes"}


def test_change_checks_and_materials_cover_only_the_changed_parts(published, principal):
    change = changes.open_change(published, by=principal)
    website = change.websites.get()
    website.server_provider = "上海云接入有限公司"
    website.save()
    factories.pass_face_checks(change)
    loaded = checks.load_filing_for_checks(change.pk)
    # No material is needed: neither the subject nor a person changed.
    assert checks.required_materials(loaded) == []
    checklist = checks.run_submission_checks(loaded)
    assert checklist.passed, [r.message for r in checklist.failures]
    codes = {r.code for r in checklist.results}
    assert "server_validity" in codes and "subject_certificate" not in codes and "person_id" not in codes


def test_change_of_a_person_needs_their_id_scans_and_sends_them_the_sms(published, principal, reviewer):
    change = changes.open_change(published, by=principal)
    person = change.subject_principal
    person.mobile = "13912345678"
    person.save()
    loaded = checks.load_filing_for_checks(change.pk)
    assert {kind for kind, _slot, _label in checks.required_materials(loaded)} == {"id_front", "id_back"}
    factories.add_required_materials(change)
    change = transitions.submit_filing(change, by=principal)
    change = transitions.pass_review(change, by=reviewer)
    assert list(SmsVerifier.objects.filter(filing=change).values_list("mobile", flat=True)) == ["13912345678"]


def test_only_a_website_change_sends_the_sms_to_that_websites_principal(published, principal, reviewer):
    change = changes.open_change(published, by=principal)
    website = change.websites.get()
    website.description = "产品与服务介绍"
    website.save()
    factories.pass_face_checks(change)
    change = transitions.pass_review(transitions.submit_filing(change, by=principal), by=reviewer)
    assert [v.person_id for v in SmsVerifier.objects.filter(filing=change)] == [website.principal_id]


def test_approval_replaces_the_published_data_keeping_the_number_and_the_old_values(
    published, principal, reviewer
):
    old_address = published.subject.postal_address
    change = changes.open_change(published, by=principal)
    drafts.update_filing(
        change,
        by=principal,
        expected_version=change.version,
        **entry_payload(change, postal_address="广东省深圳市福田区新地址2号"),
    )
    factories.add_required_materials(change)
    draft_subject_id = Filing.objects.get(pk=change.pk).subject_id
    change = factories.carry_to_bureau(Filing.objects.get(pk=change.pk), reviewer=reviewer)
    # Under review, the public still sees the old data.
    published.subject.refresh_from_db()
    assert published.subject.postal_address == old_address
    with pytest.raises(TransitionNotPossible):
        transitions.approve_filing(change, by=reviewer, icp_number=published.icp_number)
    change = changes.approve_change(change, by=reviewer)
    assert change.state == State.PUBLISHED
    published.refresh_from_db()
    published.subject.refresh_from_db()
    assert published.state == State.PUBLISHED
    assert published.subject.postal_address == "广东省深圳市福田区新地址2号"
    assert published.icp_number == change.icp_number
    assert published.websites.get().icp_number == f"{published.icp_number}-1"
    event = published.events.get(transition="change_applied")
    assert event.reasons[0]["old"] == old_address and event.reasons[0]["new"] == "广东省深圳市福田区新地址2号"
    # The draft subject is gone; the change now belongs to the real subject.
    assert change.subject_id == published.subject_id
    assert not Subject.objects.filter(pk=draft_subject_id).exists()
    # A change carries no new public-security deadline.
    assert not change.deadlines.filter(closed_at__isnull=True).exists()


def test_website_domain_change_is_written_over_on_approval(published, principal, reviewer):
    change = changes.open_change(published, by=principal)
    payload = entry_payload(change)
    payload["websites"][0]["server_provider"] = "上海云接入有限公司"
    payload["websites"][0]["domains"][0]["expires_on"] = (
        published.websites.get().domains.get().expires_on.replace(year=2031)
    )
    drafts.update_filing(change, by=principal, expected_version=change.version, **payload)
    change = changes.approve_change(
        factories.carry_to_bureau(Filing.objects.get(pk=change.pk), reviewer=reviewer), by=reviewer
    )
    website = published.websites.get()
    assert website.server_provider == "上海云接入有限公司"
    assert website.domains.get().expires_on.year == 2031


def test_the_changes_prior_approvals_replace_the_published_ones(published, principal, reviewer):
    published.websites.get().prior_approvals.create(category="news", licence_number="旧-001")
    change = changes.open_change(published, by=principal)
    copy = change.websites.get()
    copy.prior_approvals.all().delete()
    copy.prior_approvals.create(category="publishing", licence_number="新-002")
    factories.add_required_materials(change)
    changes.approve_change(
        factories.carry_to_bureau(Filing.objects.get(pk=change.pk), reviewer=reviewer), by=reviewer
    )
    approvals = published.websites.get().prior_approvals.values_list("category", "licence_number")
    assert list(approvals) == [("publishing", "新-002")]


def test_a_second_open_change_is_refused_with_a_clear_message(published, principal):
    first = changes.open_change(published, by=principal)
    with pytest.raises(InvalidInput, match=re.escape(f"已有一个进行中的变更备案(编号 {first.pk})")):
        changes.open_change(published, by=principal)
    transitions.withdraw_filing(first, by=principal)
    assert changes.open_change(published, by=principal).pk != first.pk


def test_change_of_a_filing_not_published_is_refused(principal, filing):
    with pytest.raises(TransitionNotPossible, match="只有已公示的备案可以变更"):
        changes.open_change(filing, by=principal)


def test_change_by_someone_else_is_refused(published, other_principal):
    with pytest.raises(TransitionNotPermitted):
        changes.open_change(published, by=other_principal)


# Pages and API.


def test_change_through_the_pages_shows_the_diff_and_the_reviewer_applies_it(
    client_for, published, principal, reviewer
):
    client = client_for(principal)
    detail = client.get(published.get_absolute_url()).content.decode()
    assert "办理变更备案" in detail
    response = client.post(reverse("filings:change-open", args=[published.pk]))
    change = Filing.objects.get(filing_type=Filing.Type.CHANGE)
    assert response["Location"] == reverse("filings:edit", args=[change.pk])
    drafts.update_filing(
        change,
        by=principal,
        expected_version=change.version,
        **entry_payload(change, city="广州市", postal_address="广东省广州市天河区新址3号"),
    )
    page = client.get(change.get_absolute_url()).content.decode()
    assert "变更内容" in page and "广东省广州市天河区新址3号" in page and "<del>深圳市</del>" in page
    assert "变更内容" in client.get(reverse("filings:checklist", args=[change.pk])).content.decode()
    factories.add_required_materials(change)
    change = factories.carry_to_bureau(Filing.objects.get(pk=change.pk), reviewer=reviewer)
    staff = client_for(reviewer)
    review = staff.get(reverse("filings:review-filing", args=[change.pk])).content.decode()
    assert "广东省广州市天河区新址3号" in review and "记录变更生效" in review
    assert staff.post(reverse("filings:review-approve", args=[change.pk])).status_code == 302
    after = client.get(published.get_absolute_url()).content.decode()
    assert "变更生效" in after and "<del>深圳市</del>" in after


def test_second_change_through_the_page_is_a_400_with_the_message(client_for, published, principal):
    client = client_for(principal)
    client.post(reverse("filings:change-open", args=[published.pk]))
    response = client.post(reverse("filings:change-open", args=[published.pk]))
    assert response.status_code == 400
    assert "同一主体同时只能有一个" in response.content.decode()


def test_change_through_the_api(api, published, principal, reviewer):
    client = api(principal)
    response = client.post(f"/api/v1/filings/{published.pk}/change/", format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["filing_type"] == "change" and data["target"] == published.pk and data["changes"] == []
    change = Filing.objects.get(pk=data["id"])
    person = change.subject_principal
    person.email = "new-address@example.cn"
    person.save()
    rows = client.get(f"/api/v1/filings/{change.pk}/").json()["changes"]
    assert [(r["field"], r["new"]) for r in rows] == [("subject_principal.email", "new-address@example.cn")]
    assert client.post(f"/api/v1/filings/{published.pk}/change/", format="json").status_code == 400
    factories.add_required_materials(change)
    change = factories.carry_to_bureau(change, reviewer=reviewer)
    response = api(reviewer).post(f"/api/v1/filings/{change.pk}/transitions/approve/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "published"
    published.subject_principal.refresh_from_db()
    assert published.subject_principal.email == "new-address@example.cn"
    assert FilingEvent.objects.filter(filing=published, transition="change_applied").count() == 1


# A change of an app.


def test_change_of_an_app_replaces_its_platforms_keeping_its_number(published, principal, reviewer):
    app_filing = factories.publish(
        factories.ready_app_filing(published), reviewer=reviewer, icp_number=published.icp_number
    )
    app = app_filing.apps.get()
    change = changes.open_change(app_filing, by=principal)
    copy = change.apps.get()
    assert copy.source_id == app.pk and copy.icp_number == app.icp_number
    # The copy's package is the published app's own: not "filed elsewhere".
    assert not change_diff(change).any
    payload = factories.app_payload(package="com.xinghe.ledger.pro")
    payload["id"] = copy.pk
    apps.update_app_filing(change, by=principal, expected_version=change.version, apps=[payload])
    change = Filing.objects.get(pk=change.pk)
    rows = change_diff(change).rows
    assert {(r.field, r.old, r.new) for r in rows} == {
        ("app.platforms.package_name", "com.xinghe.ledger", "com.xinghe.ledger.pro")
    }
    factories.pass_face_checks(change)
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(change.pk))
    assert checklist.passed, [r.message for r in checklist.failures]
    change = changes.approve_change(factories.carry_to_bureau(change, reviewer=reviewer), by=reviewer)
    app.refresh_from_db()
    assert set(app.platforms.values_list("package_name", flat=True)) == {"com.xinghe.ledger.pro"}
    assert app.icp_number == f"{published.icp_number}-2A"
    assert app_filing.events.filter(transition="change_applied").exists()


def test_the_edit_of_an_app_change_opens_the_app_form(client_for, published, principal, reviewer):
    app_filing = factories.publish(
        factories.ready_app_filing(published), reviewer=reviewer, icp_number=published.icp_number
    )
    change = changes.open_change(app_filing, by=principal)
    response = client_for(principal).get(reverse("filings:edit", args=[change.pk]))
    assert response["Location"] == reverse("filings:app-edit", args=[change.pk])
    assert "com.xinghe.ledger" in client_for(principal).get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("subject", "what"),
    [
        ({"certificate_number": "91440300MA5FUTURE1"}, "证件号码"),
        ({"certificate_kind": Subject.CertificateKind.RESIDENT_ID}, "证件类型"),
        ({"kind": Subject.Kind.SOCIAL_ORGANISATION}, "主体性质"),
    ],
)
def test_a_change_cannot_change_the_subjects_identity(published, principal, subject, what):
    change = changes.open_change(published, by=principal)
    with pytest.raises(InvalidInput) as refused:
        drafts.update_filing(
            change, by=principal, expected_version=change.version, **entry_payload(change, **subject)
        )
    assert what in str(refused.value.message)
    assert "注销" in str(refused.value.message) and "首次备案" in str(refused.value.message)
    assert list(refused.value.details) == [f"subject.{next(iter(subject))}"]
    change.subject.refresh_from_db()
    assert change.subject.certificate_number == published.subject.certificate_number
    assert change.subject.kind == published.subject.kind


def test_the_same_certificate_number_written_differently_is_no_identity_change(published, principal):
    change = changes.open_change(published, by=principal)
    number = published.subject.certificate_number
    spaced = f"{number[:6]} {number[6:]}".lower()
    drafts.update_filing(
        change,
        by=principal,
        expected_version=change.version,
        **entry_payload(change, certificate_number=spaced),
    )


def test_an_identity_change_made_around_the_form_fails_the_checklist(published, principal):
    change = changes.open_change(published, by=principal)
    change.subject.kind = Subject.Kind.FOUNDATION
    change.subject.save()
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(change.pk))
    refused = [r for r in checklist.failures if r.code == "change_keeps_identity"]
    assert [r.field for r in refused] == ["subject.kind"] and "注销" in refused[0].fix


def test_a_renamed_subject_needs_a_licence_showing_the_same_number(published, principal):
    change = changes.open_change(published, by=principal)
    drafts.update_filing(
        change,
        by=principal,
        expected_version=change.version,
        **entry_payload(change, name="深圳星河新名科技有限公司"),
    )
    loaded = checks.load_filing_for_checks(change.pk)
    licence = [
        label for kind, _slot, label in checks.required_materials(loaded) if kind == "business_licence"
    ]
    assert len(licence) == 1 and "相同的证件号码" in licence[0]
    checklist = checks.run_submission_checks(loaded)
    assert "material_present" in {r.code for r in checklist.failures}
    assert "change_keeps_identity" not in {r.code for r in checklist.results}
