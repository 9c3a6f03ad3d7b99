"""The API does what its schema says (issue #23 item 8): malformed query values are refused, required
fields are documented as required, rules a schema cannot express are named in the description,
unknown addresses answer JSON, and a half-logged-in staff session reaches neither API nor docs."""

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api, principal):
    return yaml.safe_load(api(principal).get("/api/schema/").content)


@pytest.mark.parametrize(
    "query",
    [
        "overdue=null",
        "overdue=",
        "overdue=maybe",
        "state=",
        "state=nowhere",
        "filing_type=",
        "filing_type=old",
        "page_size=",
    ],
)
def test_the_filing_list_refuses_a_malformed_query_value(api, principal, query):
    response = api(principal).get(f"/api/v1/filings/?{query}")
    assert response.status_code == 400, query
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "kind=",
        "kind=nonsense",
        "severity=",
        "severity=panic",
        "unread=null",
        "acknowledged=",
        "withdrawn=2",
        "filing=-3",
        "filing=abc",
        "filing=",
    ],
)
def test_the_alert_list_refuses_a_malformed_query_value(api, principal, query):
    response = api(principal).get(f"/api/v1/alerts/?{query}")
    assert response.status_code == 400, query
    assert query.split("=")[0] in response.json()


def test_well_formed_query_values_are_accepted(api, principal, filing):
    client = api(principal)
    for query in (
        "overdue=false",
        "overdue=true",
        "state=entry",
        "q=",
        "domain=",
        "province=",
        "filing_type=first",
    ):
        assert client.get(f"/api/v1/filings/?{query}").status_code == 200, query
    mine = client.get("/api/v1/filings/?overdue=false&state=entry").json()["results"]
    assert [row["id"] for row in mine] == [filing.pk]
    for query in ("kind=sms_window", "severity=breach", "unread=true", "withdrawn=false", "filing=1"):
        assert client.get(f"/api/v1/alerts/?{query}").status_code == 200, query


def test_the_query_parameters_are_documented_with_the_values_they_accept(schema):
    filings = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/filings/"]["get"]["parameters"]}
    assert filings["overdue"]["type"] == "boolean"
    assert "entry" in filings["state"]["enum"] and "" not in filings["state"]["enum"]
    alerts = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/alerts/"]["get"]["parameters"]}
    assert alerts["filing"] == {"type": "integer", "minimum": 1}
    assert "sms_window" in alerts["kind"]["enum"]


def _request_schema(schema, path: str, method: str) -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"]
    reference = body["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]


def test_a_patch_documents_the_version_it_requires(schema, api, principal, filing):
    assert "version" in _request_schema(schema, "/api/v1/filings/{id}/", "patch")["required"]
    response = api(principal).patch(f"/api/v1/filings/{filing.pk}/", {"subject": None}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_inputs_that_nest_objects_are_documented_as_json_only(schema):
    for path, method in [
        ("/api/v1/filings/", "post"),
        ("/api/v1/filings/{id}/", "patch"),
        ("/api/v1/filings/{id}/transitions/{name}/", "post"),
    ]:
        assert list(schema["paths"][path][method]["requestBody"]["content"]) == ["application/json"]


def test_text_inputs_document_their_format_and_that_blank_is_refused(schema):
    person = schema["components"]["schemas"]["PersonInput"]["properties"]
    assert person["mobile"]["pattern"] == r"^1[3-9]\d{9}$"
    assert person["name"]["minLength"] == 1
    assert "\\x00" in person["name"]["pattern"]


def test_a_return_without_reasons_is_refused_as_its_description_says(schema, api, principal, reviewer):
    operation = schema["paths"]["/api/v1/filings/{id}/transitions/{name}/"]["post"]
    assert "`reasons`" in operation["description"] and "return_to_entry" in operation["description"]
    submitted = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    client = api(reviewer)
    client.post(f"/api/v1/filings/{submitted.pk}/claim/")
    response = client.post(f"/api/v1/filings/{submitted.pk}/transitions/return_to_entry/", {}, format="json")
    assert response.status_code == 400 and "reasons" in response.json()["errors"]


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_addresses_and_ids_under_the_api_answer_json(
    settings, api, principal, manager, filing, debug
):
    settings.DEBUG = debug
    for client, url in [
        (api(principal), "/api/v1/filings/999999/"),
        (api(principal), "/api/v1/alerts/999999/"),
        (api(principal), f"/api/v1/filings/{filing.pk}/materials/999999/file/"),
        (api(principal), "/api/v1/filings/999999/transitions/submit/"),
        (api(principal), "/api/v1/filings/not-a-number/"),
        (api(principal), "/api/v1/nothing-here/"),
        (api(manager), "/api/v1/stats/deadlines/no-such-list/"),
    ]:
        response = client.get(url)
        assert response.status_code in (404, 405), url
        assert response["Content-Type"] == "application/json", url


def _half_logged_in(user) -> Client:
    """Log in with the password only: the second factor is not given yet."""
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "pass-1234"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("role", ["reviewer", "manager"])
def test_a_half_logged_in_staff_session_is_sent_to_verify_from_pages_and_refused_by_the_api(request, role):
    client = _half_logged_in(request.getfixturevalue(role))
    for page in ("/api/docs/", "/api/schema/", "/filings/", "/alerts/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("accounts:2fa-verify") + "?next="), page
    for url in ("/api/v1/filings/", "/api/v1/stats/counts/", "/api/v1/nothing-here/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "second_factor_required", url


def test_a_province_code_with_a_nul_byte_is_refused_not_a_server_error(api, principal):
    response = api(principal).post(
        "/api/v1/filings/", {"province": "4\x00", "subject_principal": {}}, format="json"
    )
    assert response.status_code == 400 and "province" in response.json()


def test_a_mini_program_platform_code_with_a_nul_byte_is_refused_not_a_server_error(api, principal):
    app = {
        "kind": "mini_program",
        "name": "星河小程序",
        "mini_platform": "we\x00chat",
        "appid": "wx1234567890abcdef",
    }
    response = api(principal).post(
        "/api/v1/filings/", {"filing_type": "new_app", "apps": [app], "subject_principal": {}}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "mini_platform" in response.json()["apps"]["0"]


def test_a_post_to_an_unknown_api_address_is_json_even_from_a_session_without_csrf_token(principal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(principal)
    response = client.post("/api/v1/filings/not-a-number/claim/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_the_api_says_an_unknown_import_is_not_found_in_the_readers_language(api, reviewer):
    client = api(reviewer)
    for method, url in (
        ("get", "/api/v1/bureau-imports/999999/"),
        ("post", "/api/v1/bureau-imports/999999/apply/"),
    ):
        response = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 404
        assert response.json()["detail"] == "找不到该导入。", response.json()
        english = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
        assert english.json()["detail"] == "No such import.", english.json()
