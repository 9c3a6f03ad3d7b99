"""Hostile API bodies: deep nesting and unbounded reason lists are refused with a 400."""

import pytest

from filings.kinds.states import State
from filings.services import transitions
from tests import factories
from tests.test_api import LIST, detail_url, transition_url


@pytest.mark.parametrize("depth", [1000, 5000, 40])
@pytest.mark.parametrize("shape", ["list", "object"])
def test_deeply_nested_json_is_a_400(api, principal, filing, depth, shape):
    body = "[" * depth + "]" * depth if shape == "list" else '{"a":' * depth + "1" + "}" * depth
    client = api(principal)
    for method, url in (
        ("post", LIST),
        ("patch", detail_url(filing)),
        ("post", transition_url(filing, "submit")),
    ):
        response = getattr(client, method)(url, data=body, content_type="application/json")
        assert response.status_code == 400, (method, url, response.content[:200])
        assert "嵌套" in response.json()["detail"]
    filing.refresh_from_db()
    assert filing.state == State.ENTRY


def test_ordinary_nesting_still_parses(api, principal, filing):
    response = api(principal).patch(detail_url(filing), data={"version": filing.version}, format="json")
    assert response.status_code == 200, response.content[:300]


def _submitted(principal):
    return transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)


@pytest.mark.parametrize("count", [31, 20_000])
def test_a_return_with_too_many_reasons_is_a_400(api, principal, reviewer, count):
    filing = _submitted(principal)
    body = {"reasons": [{"field": "subject.name", "reason": f"原因{i}"} for i in range(count)]}
    response = api(reviewer).post(transition_url(filing, "return_to_entry"), data=body, format="json")
    assert response.status_code == 400
    assert "30" in str(response.json())
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW


def test_thirty_reasons_of_full_length_are_accepted(api, principal, reviewer):
    filing = _submitted(principal)
    body = {"reasons": [{"reason": "缺" * 500, "suggested_fix": "补" * 500} for _ in range(30)]}
    response = api(reviewer).post(transition_url(filing, "return_to_entry"), data=body, format="json")
    assert response.status_code == 200, response.content[:300]


def test_the_services_refuse_unbounded_reasons_whoever_calls_them(principal, reviewer):
    from filings.exceptions import InvalidInput

    filing = _submitted(principal)
    with pytest.raises(InvalidInput, match="30"):
        transitions.return_filing(filing, by=reviewer, reasons=[{"reason": "缺少材料"}] * 31)
    with pytest.raises(InvalidInput, match="500"):
        transitions.return_filing(filing, by=reviewer, reasons=[{"reason": "缺" * 501}])
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW
