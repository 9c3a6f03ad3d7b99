"""The OpenAPI schema says what the API does: shapes, nullable fields, error answers, paging bounds."""

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api, principal):
    response = api(principal).get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _ok(schema, path: str, method: str = "get") -> dict:
    return schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]


def test_weekly_flows_are_documented_as_the_array_they_are(schema, api, manager):
    assert _ok(schema, "/api/v1/stats/flows/")["type"] == "array"
    assert isinstance(api(manager).get("/api/v1/stats/flows/").json(), list)


def test_alert_fields_that_may_be_empty_are_nullable(schema):
    alert = schema["components"]["schemas"]["Alert"]["properties"]
    for name in ("acknowledged_by", "acknowledged_at", "withdrawn_at"):
        assert alert[name].get("nullable") is True, name


def test_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "429"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch", "put", "delete"):
                assert {"409", "413"} <= codes, (method, path)


def test_paging_parameters_have_the_bounds_the_api_enforces(schema, api, principal):
    # Positions (the alert and filing lists) with a bounded page size.
    alerts = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/alerts/"]["get"]["parameters"]}
    assert "cursor" in alerts and "page" not in alerts
    assert alerts["page_size"]["minimum"] == 1 and alerts["page_size"]["maximum"] == 200
    filings = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/filings/"]["get"]["parameters"]}
    assert "cursor" in filings and "page" not in filings
    assert filings["page_size"]["minimum"] == 1 and filings["page_size"]["maximum"] == 200
    client = api(principal)
    for query in ("page_size=null", "page_size=0", "page_size=201", "page_size=-1", "page_size=１"):
        assert client.get(f"/api/v1/alerts/?{query}").status_code == 400, query
    for query in ("page_size=null", "page_size=0", "page_size=201", "page_size=１"):
        assert client.get(f"/api/v1/filings/?{query}").status_code == 400, query
    assert client.get("/api/v1/filings/?page_size=200").status_code == 200
    beyond = client.get("/api/v1/alerts/?cursor=nonsense")
    assert beyond.status_code == 404 and beyond["Content-Type"] == "application/json"
    bad_position = client.get("/api/v1/filings/?cursor=nonsense")
    assert bad_position.status_code == 404 and bad_position["Content-Type"] == "application/json"


def test_an_address_no_route_matches_under_the_api_answers_json(api, principal):
    response = api(principal).get("/api/v1/alerts/-5/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def _texts(node, path=""):
    """Yield (where, text) for every summary, description and title in a schema, not its examples."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description", "title") and isinstance(value, str):
                yield f"{path}/{key}", value
            elif key not in ("example", "examples", "enum", "default", "pattern"):
                yield from _texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value, path)


# What stays Chinese in English: numbers and province abbreviations given as examples, quoted words.
CHINESE_EXAMPLES = re.compile(
    r"[\u4e00-\u9fff]{1,2}(ICP备|公网安备)\d+号(-\d+)?|“[^”]*”|\"[^\"]*\"|\bor 粤\b"
)


def test_the_schema_in_english_has_no_chinese_words_left(api, principal):
    schema = yaml.safe_load(api(principal).get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en").content)
    left = [
        (where, text)
        for where, text in _texts(schema)
        if re.search(r"[\u4e00-\u9fff]", CHINESE_EXAMPLES.sub("", text))
    ]
    assert left == []
