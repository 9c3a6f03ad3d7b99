"""A form shows every problem of what was entered at once, each on its field, and no message carries
a field code (behaviour 9 of #21): the entry form of a first filing and the app form, through the
real views; nothing is saved."""

import re

import pytest
from django.urls import reverse

from filings.exceptions import InvalidInput
from filings.models import App, Filing, Subject, Website
from filings.services import apps
from tests import factories
from tests.test_app_pages import app_form_data
from tests.test_principal_views import entry_data

pytestmark = pytest.mark.django_db

# A field code as services name inputs: "websites.0.domains.1.name", "apps.0.appid", "app_numbers:".
FIELD_CODE = re.compile(
    r"\b(?:websites|apps|subject|subject_principal|app_numbers|website_numbers)[.:][\w.]*"
)


def field_error(page: str, field_id: str) -> str:
    """Return the text of the error shown on the field (the paragraph its aria-describedby names)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}[^"]*">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def shown_text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_the_app_form_shows_every_problem_at_once(client_for, published, principal):
    data = app_form_data(
        published.subject_principal,
        **{
            "platform-android-fingerprint": "abcd",
            "platform-ios-package_name": "不是包名",
            "platform-ios-public_key": "MIIBIjANBgkqhkiG9w0B",
            "platform-ios-fingerprint": factories.MD5,
            "app-backend_addresses": "api.xinghe-ledger.cn\nnot an address!",
        },
    )
    del data["app-same_as_subject_principal"]
    response = client_for(principal).post(reverse("filings:app-create", args=[published.subject_id]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert field_error(page, "id_app_principal-name")  # the app's own principal, left empty
    assert "当前为4位" in field_error(page, "id_platform-android-fingerprint")
    assert field_error(page, "id_platform-ios-package_name")
    assert field_error(page, "id_app-backend_addresses")
    assert not FIELD_CODE.search(shown_text(page)), FIELD_CODE.search(shown_text(page))
    assert not Filing.objects.filter(filing_type=Filing.Type.NEW_APP).exists()
    assert not App.objects.exists()


def second_website(**fields) -> dict:
    return {f"websites-1-{k}": v for k, v in fields.items()}


def test_the_entry_form_shows_every_website_s_domain_problem_at_once(client_for, principal):
    data = entry_data(
        **{
            "websites-TOTAL_FORMS": "2",
            "websites-0-domains-TOTAL_FORMS": "2",
            "websites-0-domains-1-name": "YUNFAN-demo.cn",
            "websites-0-domains-1-registrant_name": "广州市云帆信息技术有限公司",
        }
    )
    first = {k.removeprefix("websites-0-"): v for k, v in data.items() if k.startswith("websites-0-")}
    data.update(second_website(**{**first, "name": "云帆商城", "homepage": "https://shop.yunfan-demo.cn/"}))
    data.update(
        {"websites-1-domains-0-name": "yunfan-shop.cn", "websites-1-domains-1-name": "Yunfan-Shop.cn"}
    )
    for index in (0, 1):  # each website's own principal: the subject's
        del data[f"websites-{index}-same_as_subject_principal"]
        for key, value in list(data.items()):
            if key.startswith("subject_principal-"):
                data[f"websites-{index}-principal-{key.removeprefix('subject_principal-')}"] = value
    url = reverse("filings:create") + "?filing_type=first&province=44"
    response = client_for(principal).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400, page[:2000]
    assert "域名重复" in field_error(page, "id_websites-0-domains-1-name")
    assert "域名重复" in field_error(page, "id_websites-1-domains-1-name")
    assert not FIELD_CODE.search(shown_text(page)), FIELD_CODE.search(shown_text(page))
    assert not Filing.objects.exists() and not Subject.objects.exists() and not Website.objects.exists()


def test_the_app_service_judges_every_app_part_before_refusing(published):
    app = factories.app_payload()
    app["backend_addresses"] = ["api.xinghe-ledger.cn", "not an address!"]
    app["platforms"][0]["fingerprint"] = "abcd"
    app["platforms"][1]["package_name"] = "不是包名"
    with pytest.raises(InvalidInput) as refused:
        apps.create_app_filing(
            by=published.assignee,
            subject_id=published.subject_id,
            subject_principal=factories.person_payload(published.subject_principal),
            apps=[app],
        )
    assert set(refused.value.details) == {
        "apps.0.backend_addresses",
        "apps.0.platforms.0.fingerprint",
        "apps.0.platforms.1.package_name",
    }
    assert "3" in str(refused.value.message) and not FIELD_CODE.search(str(refused.value.message))
    assert not Filing.objects.filter(filing_type=Filing.Type.NEW_APP).exists() and not App.objects.exists()


def test_the_entry_form_shows_a_repeated_domain_with_the_form_s_own_errors(client_for, principal):
    """A domain named twice (however written) is refused by the service too; the form says so in the
    same answer as its own field errors, not after they are fixed."""
    data = entry_data(
        **{
            "websites-0-domains-TOTAL_FORMS": "2",
            "websites-0-domains-1-name": "YUNFAN-demo.cn",
            "websites-0-domains-1-registrant_name": "广州市云帆信息技术有限公司",
            "subject-postal_address": "",
        }
    )
    url = reverse("filings:create") + "?filing_type=first&province=44"
    response = client_for(principal).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400, page[:2000]
    assert "域名重复" in field_error(page, "id_websites-0-domains-1-name")
    assert field_error(page, "id_subject-postal_address")
    assert not FIELD_CODE.search(shown_text(page))
    assert not Filing.objects.exists() and not Website.objects.exists()


def test_a_website_run_by_the_subject_s_principal_shows_no_errors_on_its_own_principal(client_for, principal):
    data = entry_data(**{"websites-0-server_provider": ""})
    url = reverse("filings:create") + "?filing_type=first&province=44"
    response = client_for(principal).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "该字段是必填项" in field_error(page, "id_websites-0-server_provider")
    # Without a script the website principal's fields stay on the page; none of them is asked for.
    assert 'name="websites-0-principal-name"' in page
    assert not field_error(page, "id_websites-0-principal-name")
    assert not re.search(r'name="websites-0-principal-[^"]*"[^>]*aria-invalid', page)

    del data["websites-0-same_as_subject_principal"]
    page = client_for(principal).post(url, data).content.decode()
    assert "该字段是必填项" in field_error(page, "id_websites-0-principal-name")


def test_more_websites_than_a_filing_may_hold_are_refused_with_one_message(client_for, principal):
    data = entry_data(**{"websites-TOTAL_FORMS": "21"})
    first = {k.removeprefix("websites-0-"): v for k, v in data.items() if k.startswith("websites-0-")}
    for index in range(1, 21):
        data.update({f"websites-{index}-{key}": value for key, value in first.items()})
    url = reverse("filings:create") + "?filing_type=first&province=44"
    response = client_for(principal).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    # Said once, in the filing's words (not also Django's "submit at most 20 forms").
    assert shown_text(page).count("一个备案最多20个网站。") == 1
    assert "表单" not in shown_text(page)
    assert not Filing.objects.exists() and not Website.objects.exists()
