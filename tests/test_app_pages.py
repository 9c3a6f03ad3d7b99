"""APP filings through the pages: start, entry form, detail, reviewer page and approval, lists."""

from django.urls import reverse

from filings.kinds.states import State
from filings.models import App, AppPlatform, Filing, SmsVerifier
from filings.services import transitions
from tests import factories


def app_form_data(person, **overrides) -> dict:
    data = {f"subject_principal-{k}": v or "" for k, v in factories.person_payload(person).items()}
    data["subject_principal-id_valid_until"] = person.id_valid_until.isoformat()
    data.update(
        {
            "app-kind": "app",
            "app-name": "星河智能记账助手",
            "app-service_content": "other",
            "app-description": "个人记账工具",
            "app-access_provider": "深圳云计算有限公司",
            "app-backend_addresses": "api.xinghe-ledger.cn\n203.0.113.20",
            "app-same_as_subject_principal": "on",
            "platform-android-package_name": "com.xinghe.ledger",
            "platform-android-public_key": "MIIBIjANBgkqhkiG9w0B",
            "platform-android-fingerprint": factories.MD5,
        }
    )
    data.update(overrides)
    return data


def test_start_form_sends_an_app_filing_to_its_own_form(client_for, published, principal):
    url = reverse("filings:create") + f"?filing_type=new_app&province=44&subject={published.subject_id}"
    response = client_for(principal).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("filings:app-create", args=[published.subject_id])


def test_start_form_without_a_subject_opens_an_app_first_filing(client_for, principal):
    response = client_for(principal).get(reverse("filings:create") + "?filing_type=new_app&province=44")
    assert response.status_code == 302
    assert response["Location"] == reverse("filings:app-create-first") + "?province=44"


def test_app_form_saves_a_draft_and_the_detail_page_shows_the_app(client_for, published, principal):
    client = client_for(principal)
    url = reverse("filings:app-create", args=[published.subject_id])
    page = client.get(url).content.decode()
    assert "Android 平台" in page and published.subject.name in page
    response = client.post(url, app_form_data(published.subject_principal))
    assert response.status_code == 302, response.content.decode()[:3000]
    filing = Filing.objects.get(filing_type=Filing.Type.NEW_APP)
    assert filing.apps.get().backend_addresses == ["api.xinghe-ledger.cn", "203.0.113.20"]
    detail = client.get(filing.get_absolute_url()).content.decode()
    assert "星河智能记账助手" in detail and "com.xinghe.ledger" in detail and "MD5" in detail
    assert "还没有填写网站" not in detail
    # The edit link of an app draft opens the app form.
    assert client.get(reverse("filings:edit", args=[filing.pk]))["Location"] == reverse(
        "filings:app-edit", args=[filing.pk]
    )


def test_app_form_refuses_a_short_fingerprint_on_its_field(client_for, published, principal):
    response = client_for(principal).post(
        reverse("filings:app-create", args=[published.subject_id]),
        app_form_data(published.subject_principal, **{"platform-android-fingerprint": "abcd"}),
    )
    assert response.status_code == 400
    assert "当前为4位" in response.content.decode()
    assert not Filing.objects.filter(filing_type=Filing.Type.NEW_APP).exists()


def test_app_form_needs_one_platform(client_for, published, principal):
    data = app_form_data(published.subject_principal)
    for key in ["package_name", "public_key", "fingerprint"]:
        data[f"platform-android-{key}"] = ""
    response = client_for(principal).post(reverse("filings:app-create", args=[published.subject_id]), data)
    assert response.status_code == 400
    assert "请至少填写一个平台" in response.content.decode()


def test_app_form_refuses_a_subject_that_is_not_published(client_for, principal):
    draft = factories.ready_filing(assignee=principal)
    assert (
        client_for(principal).get(reverse("filings:app-create", args=[draft.subject_id])).status_code == 404
    )


def test_app_edit_changes_the_package_and_adds_a_platform(client_for, published, principal):
    filing = factories.ready_app_filing(published)
    client = client_for(principal)
    data = app_form_data(
        filing.subject_principal,
        version=filing.version,
        **{
            "platform-android-package_name": "com.xinghe.ledger2",
            "platform-harmony-package_name": "com.xinghe.ledger.harmony",
            "platform-harmony-public_key": "MIIB",
            "platform-harmony-fingerprint": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        },
    )
    response = client.post(reverse("filings:app-edit", args=[filing.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    platforms = dict(AppPlatform.objects.filter(app__filing=filing).values_list("platform", "package_name"))
    assert platforms == {"android": "com.xinghe.ledger2", "harmony": "com.xinghe.ledger.harmony"}


def test_reviewer_approves_an_app_on_its_page_with_the_suggested_number(
    client_for, published, principal, reviewer
):
    filing = transitions.submit_filing(factories.ready_app_filing(published), by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    client = client_for(reviewer)
    page = client.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    app = App.objects.get(filing=filing)
    assert f'value="{published.icp_number}-2A"' in page
    assert f'value="{published.icp_number}"' in page
    response = client.post(
        reverse("filings:review-approve", args=[filing.pk]),
        {"icp_number": published.icp_number, f"app_{app.pk}": f"{published.icp_number}-2X"},
    )
    assert response.status_code == 400
    assert "后缀应为“A”" in response.content.decode()
    response = client.post(
        reverse("filings:review-approve", args=[filing.pk]),
        {"icp_number": published.icp_number, f"app_{app.pk}": f"{published.icp_number}-2A"},
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == State.PUBLISHED
    assert (
        f"{published.icp_number}-2A" in client_for(principal).get(filing.get_absolute_url()).content.decode()
    )


def test_queue_list_and_dashboard_show_and_filter_apps(client_for, published, principal, reviewer, manager):
    filing = transitions.submit_filing(factories.ready_app_filing(published), by=principal)
    queue = (
        client_for(reviewer).get(reverse("filings:review-queue", args=["provider_review"])).content.decode()
    )
    assert "APP备案" in queue
    mine = client_for(principal).get(reverse("filings:list") + "?filing_type=new_app").content.decode()
    assert "APP备案" in mine and f"/filings/{filing.pk}/" in mine and f"/filings/{published.pk}/" not in mine
    board = (
        client_for(manager).get(reverse("filings:dashboard-open") + "?filing_type=new_app").content.decode()
    )
    assert f"/filings/{filing.pk}/" in board
    board = client_for(manager).get(reverse("filings:dashboard-open") + "?filing_type=first").content.decode()
    assert f"/filings/{filing.pk}/" not in board
    assert (
        client_for(manager).get(reverse("filings:dashboard-open") + "?filing_type=bogus").status_code == 400
    )


def test_a_refused_form_does_not_judge_the_app_principal_when_it_is_the_same_person(
    client_for, published, principal
):
    response = client_for(principal).post(
        reverse("filings:app-create", args=[published.subject_id]),
        app_form_data(published.subject_principal, **{"platform-android-fingerprint": "abcd"}),
    )
    assert response.status_code == 400
    assert response.content.decode().count('class="field has-error"') == 1


def test_checklist_of_an_app_names_the_app_fields(client_for, principal, other_principal, reviewer):
    first = factories.published_filing(assignee=principal, reviewer=reviewer)
    factories.ready_app_filing(first, package="com.shared.app")
    second = factories.published_filing(assignee=other_principal, reviewer=reviewer)
    filing = factories.ready_app_filing(second, package="com.shared.app", name="云帆智能记账助手")
    page = client_for(other_principal).get(reverse("filings:checklist", args=[filing.pk])).content.decode()
    assert "已在另一个备案中备案或正在备案" in page
    assert "应用 · 平台" in page
