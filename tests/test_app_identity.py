"""What identifies an app (2023 rules): a mini-program or quick app gives its platform and appid (a
quick app its package name) and no certificate; a native app gives package name, public key and
the certificate's MD5 fingerprint (SHA-1 only where a platform gives no MD5)."""

import pytest
from django.urls import reverse

from filings.exceptions import InvalidInput
from filings.models import App, AppPlatform, MiniProgramPlatform
from filings.rules import checks
from filings.services import apps
from tests import factories
from tests.test_app_pages import app_form_data

pytestmark = pytest.mark.django_db


def create(published, payload):
    return apps.create_app_filing(
        by=published.assignee,
        subject_id=published.subject_id,
        subject_principal=factories.person_payload(published.subject_principal),
        apps=[payload],
    )


def mini(kind="mini_program", **identity) -> dict:
    payload = factories.app_payload(kind=kind, name="星河记账小助手", package="com.xinghe.quick")
    payload.update(identity)
    return payload


@pytest.mark.parametrize(
    ("platform", "appid"),
    [
        ("wechat", "wx1234567890abcdef"),
        ("wechat", "wxd930ea5d5a258f4f"),
        ("alipay", "2021001234567890"),
        ("bytedance", "tt07e3715e98c9aac0"),
        ("qq", "1109999999"),
        ("baidu", "17869043"),
    ],
)
def test_a_mini_program_is_saved_with_its_platform_and_appid_and_no_certificate(published, platform, appid):
    filing = create(published, mini(mini_platform=platform, appid=appid))
    app = filing.apps.get()
    assert (app.mini_platform.code, app.appid) == (platform, appid)
    assert not AppPlatform.objects.filter(app=app).exists()
    factories.add_required_materials(filing)
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    assert checklist.passed, [r.message for r in checklist.failures]
    assert "app_appid" in {r.code for r in checklist.results}
    assert "app_platform" not in {r.code for r in checklist.results}


@pytest.mark.parametrize(
    ("platform", "appid", "field"),
    [
        ("wechat", "wx1234567890abcde", "appid"),  # 15 hex digits
        ("wechat", "wx1234567890abcdeg", "appid"),  # not hex
        ("wechat", "tt1234567890abcdef", "appid"),  # a ByteDance id on WeChat
        ("alipay", "1021001234567890", "appid"),
        ("wechat", "", "appid"),
        ("", "wx1234567890abcdef", "mini_platform"),
        ("quick_app", "com.xinghe.quick", "mini_platform"),  # a quick-app platform for a mini-program
    ],
)
def test_a_mini_program_with_a_wrong_appid_is_refused_on_its_field(published, platform, appid, field):
    with pytest.raises(InvalidInput) as refused:
        create(published, mini(mini_platform=platform, appid=appid))
    assert list(refused.value.details) == [f"apps.0.{field}"]
    assert not App.objects.filter(name="星河记账小助手").exists()


def test_the_wechat_message_shows_the_platforms_format(published):
    with pytest.raises(InvalidInput, match="wx1234567890abcdef"):
        create(published, mini(mini_platform="wechat", appid="wx123"))


def test_a_quick_app_gives_its_package_name(published):
    filing = create(published, mini(kind="quick_app", mini_platform="quick_app", appid="com.xinghe.quick"))
    assert filing.apps.get().appid == "com.xinghe.quick"
    with pytest.raises(InvalidInput):
        create(published, mini(kind="quick_app", mini_platform="quick_app", appid="Xinghe Quick"))


def test_a_mini_program_refuses_a_signing_certificate(published):
    payload = mini(mini_platform="wechat", appid="wx1234567890abcdef")
    payload["platforms"] = factories.app_payload()["platforms"]
    with pytest.raises(InvalidInput, match="不需要包名和签名证书"):
        create(published, payload)


def test_platform_formats_are_data_an_admin_edits(published):
    MiniProgramPlatform.objects.filter(code="qq").update(id_pattern=r"^1\d{9,11}$", id_example="111234567890")
    filing = create(published, mini(mini_platform="qq", appid="111234567890"))
    assert filing.apps.get().appid == "111234567890"


def test_the_same_appid_filed_twice_fails_the_checklist(published, other_principal, reviewer):
    create(published, mini(mini_platform="wechat", appid="wx1234567890abcdef"))
    second = factories.published_filing(assignee=other_principal, reviewer=reviewer)
    filing = create(second, mini(mini_platform="wechat", appid="wx1234567890abcdef"))
    checklist = checks.run_submission_checks(checks.load_filing_for_checks(filing.pk))
    assert "app_appid_unique" in {r.code for r in checklist.failures}


def test_a_native_app_needs_the_md5_fingerprint_not_sha1(published):
    payload = factories.app_payload()
    payload["platforms"][0]["fingerprint"] = factories.SHA1
    with pytest.raises(InvalidInput, match="MD5") as refused:
        create(published, payload)
    assert list(refused.value.details) == ["apps.0.platforms.0.fingerprint"]


def test_sha1_is_taken_only_where_the_platform_gives_no_md5(published):
    payload = factories.app_payload()
    payload["platforms"] = [{**payload["platforms"][0], "platform": "other", "fingerprint": factories.SHA1}]
    filing = create(published, payload)
    assert filing.apps.get().platforms.get().fingerprint == factories.SHA1


def test_the_api_takes_a_mini_program_without_platforms(api, published, principal):
    body = {
        "filing_type": "new_app",
        "subject_id": published.subject_id,
        "subject_principal": factories.person_payload(published.subject_principal),
        "apps": [mini(mini_platform="wechat", appid="wx1234567890abcdef")],
    }
    body["subject_principal"]["id_valid_until"] = published.subject_principal.id_valid_until.isoformat()
    response = api(principal).post("/api/v1/filings/", body, format="json")
    assert response.status_code == 201, response.json()
    app = response.json()["apps"][0]
    assert (app["mini_platform"], app["appid"], app["platforms"]) == ("wechat", "wx1234567890abcdef", [])
    body["apps"][0]["appid"] = "wx-bad"
    assert api(principal).post("/api/v1/filings/", body, format="json").status_code == 400
    native = factories.app_payload()
    native["platforms"] = []
    body["apps"] = [native]
    assert api(principal).post("/api/v1/filings/", body, format="json").status_code == 400


def test_the_app_page_takes_a_mini_program_without_certificate(client_for, published, principal):
    data = app_form_data(
        published.subject_principal,
        **{
            "app-kind": "mini_program",
            "app-mini_platform": "wechat",
            "app-appid": "wx1234567890abcdef",
            "platform-android-package_name": "",
            "platform-android-public_key": "",
            "platform-android-fingerprint": "",
        },
    )
    client = client_for(principal)
    url = reverse("filings:app-create", args=[published.subject_id])
    assert "小程序/快应用平台" in client.get(url).content.decode()
    refused = client.post(url, {**data, "app-appid": "wx12"})
    assert refused.status_code == 400 and "wx1234567890abcdef" in refused.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    app = App.objects.get(name="星河智能记账助手")
    assert (app.kind, app.mini_platform.code, app.appid) == ("mini_program", "wechat", "wx1234567890abcdef")
