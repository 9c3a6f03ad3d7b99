"""The REST API: permissions per role, filters, detail, create/update, transitions, bad input, auth."""

import copy
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from filings.formats.identity import make_mobile, make_resident_id, make_uscc
from filings.kinds.states import State
from filings.models import Deadline, Filing, FilingEvent, Subject, Website
from filings.services import drafts, transitions
from tests import factories

LIST = "/api/v1/filings/"


def detail_url(filing) -> str:
    return f"/api/v1/filings/{filing.pk}/"


def transition_url(filing, name: str) -> str:
    return f"/api/v1/filings/{filing.pk}/transitions/{name}/"


def payload(**subject_overrides) -> dict:
    """A create body that passes validation (province 粤)."""
    rng = factories.rng
    today = timezone.localdate()
    company = f"广州市云帆信息技术有限公司{rng.randrange(10**6)}"
    subject = {
        "kind": "enterprise",
        "name": company,
        "certificate_kind": "uscc",
        "certificate_number": make_uscc(rng, "44"),
        "licence_long_term": True,
        "business_scope": "软件开发",
        "city": "广州市",
        "registered_address": "广州市天河区体育西路1号",
        "postal_address": "广州市天河区体育西路1号",
        "legal_representative": "陈云帆",
    }
    subject.update(subject_overrides)
    return {
        "province": "44",
        "filing_type": "first",
        "subject": subject,
        "subject_principal": {
            "name": "陈云帆",
            "id_number": make_resident_id(rng, "44"),
            "id_valid_until": str(today + timedelta(days=3000)),
            "mobile": make_mobile(rng),
            "emergency_phone": make_mobile(rng),
            "email": "chen@example.cn",
        },
        "websites": [
            {
                "name": "云帆产品展示",
                "homepage": "https://www.yunfan-demo.cn/",
                "service_content": "corporate",
                "description": "展示公司产品",
                "principal": {"same_as_subject_principal": True},
                "server_provider": "示例云计算有限公司",
                "server_ip": "203.0.113.5",
                "server_valid_until": str(today + timedelta(days=365)),
                "domains": [
                    {
                        "name": "WWW.YunFan-Demo.CN.",
                        "registrant_name": company,
                        "real_name_verified_at": str(today - timedelta(days=10)),
                        "expires_on": str(today + timedelta(days=500)),
                    }
                ],
            }
        ],
    }


def post_json(client: APIClient, url: str, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", **headers)


def patch_json(client: APIClient, url: str, data, **headers):
    return client.patch(url, data=json.dumps(data), content_type="application/json", **headers)


def in_state(state: str, *, principal, reviewer) -> Filing:
    from tests.test_transitions import bring_to

    return bring_to(state, principal=principal, reviewer=reviewer)


# Permissions per role.


@pytest.mark.django_db
def test_anonymous_is_refused(filing):
    client = APIClient()
    for response in (
        client.get(LIST),
        client.get(detail_url(filing)),
        post_json(client, LIST, payload()),
        post_json(client, transition_url(filing, "submit"), {}),
    ):
        assert response.status_code in (401, 403)
    assert Filing.objects.get(pk=filing.pk).state == State.ENTRY


@pytest.mark.django_db
def test_principal_sees_and_changes_only_own_filings(api, principal, other_principal, filing):
    others = factories.ready_filing(assignee=other_principal)
    client = api(principal)

    listed = client.get(LIST).json()
    assert [row["id"] for row in listed["results"]] == [filing.pk]
    assert client.get(detail_url(filing)).status_code == 200
    assert client.get(detail_url(others)).status_code == 404
    assert (
        patch_json(
            client, detail_url(others), {"version": others.version, "filing_type": "change"}
        ).status_code
        == 404
    )
    assert post_json(client, transition_url(others, "withdraw"), {}).status_code == 404
    assert Filing.objects.get(pk=others.pk).state == State.ENTRY
    assert Filing.objects.get(pk=others.pk).filing_type == Filing.Type.FIRST


@pytest.mark.django_db
def test_reviewer_acts_on_review_stages(api, principal, reviewer, filing):
    transitions.submit_filing(filing, by=principal)
    client = api(reviewer)
    assert {row["id"] for row in client.get(LIST).json()["results"]} == {filing.pk}
    detail = client.get(detail_url(filing)).json()
    assert set(detail["available_transitions"]) == {"pass_review", "return_to_entry"}
    response = post_json(client, transition_url(filing, "pass_review"), {"comment": "材料齐全"})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.SMS_VERIFICATION
    # A reviewer does not submit or edit a principal's draft.
    draft = factories.ready_filing(assignee=principal)
    response = post_json(client, transition_url(draft, "submit"), {})
    assert response.status_code == 403
    assert "权限" in response.json()["detail"]
    response = patch_json(client, detail_url(draft), {"version": draft.version, "filing_type": "change"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_manager_sees_all_but_cannot_transition(api, principal, other_principal, manager, reviewer):
    mine = factories.ready_filing(assignee=principal)
    theirs = factories.ready_filing(assignee=other_principal)
    transitions.submit_filing(theirs, by=other_principal)
    client = api(manager)
    assert {row["id"] for row in client.get(LIST).json()["results"]} == {mine.pk, theirs.pk}
    assert client.get(detail_url(theirs)).json()["available_transitions"] == []
    for filing, name in ((mine, "submit"), (theirs, "pass_review"), (theirs, "withdraw")):
        response = post_json(client, transition_url(filing, name), {"comment": "x"})
        assert response.status_code == 403
    assert post_json(client, LIST, payload()).status_code == 403
    assert Filing.objects.get(pk=theirs.pk).state == State.PROVIDER_REVIEW
    assert FilingEvent.objects.filter(actor=manager).count() == 0


@pytest.mark.django_db
def test_available_transitions_depend_on_the_user(api, principal, reviewer, filing):
    assert set(api(principal).get(detail_url(filing)).json()["available_transitions"]) == {
        "submit",
        "withdraw",
    }
    assert api(reviewer).get(detail_url(filing)).json()["available_transitions"] == []
    sms = in_state(State.SMS_VERIFICATION, principal=principal, reviewer=reviewer)
    assert set(api(principal).get(detail_url(sms)).json()["available_transitions"]) == {
        "withdraw",
        "complete_sms",
    }
    assert set(api(reviewer).get(detail_url(sms)).json()["available_transitions"]) == {
        "complete_sms",
        "fail_sms",
    }


# Filters and pagination.


@pytest.mark.django_db
def test_list_filters(api, principal, reviewer):
    draft = factories.ready_filing(assignee=principal, province_code="44")
    reviewing = factories.ready_filing(assignee=principal, province_code="11")
    transitions.submit_filing(reviewing, by=principal)
    late = factories.ready_filing(assignee=principal, province_code="33")
    transitions.submit_filing(late, by=principal)
    Deadline.objects.filter(filing=late, closed_at__isnull=True).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    client = api(reviewer)

    def ids(query: str) -> set[int]:
        response = client.get(LIST + query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("?state=provider_review") == {reviewing.pk, late.pk}
    assert ids("?state=entry") == {draft.pk}
    assert ids("?province=11") == {reviewing.pk}
    assert ids("?province=粤") == {draft.pk}
    assert ids("?overdue=true") == {late.pk}
    assert ids("?overdue=false") == {draft.pk, reviewing.pk}
    assert ids("?state=provider_review&province=33") == {late.pk}
    assert ids("?province=99") == set()

    page = client.get(LIST + "?page_size=2").json()
    assert "count" not in page and len(page["results"]) == 2 and page["next"]
    second = client.get(page["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get(LIST + "?cursor=not-a-position").status_code == 404
    assert {r["id"] for r in page["results"] + second["results"]} == {draft.pk, reviewing.pk, late.pk}

    unknown = client.get(LIST + "?state=approved")
    assert unknown.status_code == 400
    assert "state" in unknown.json()


# Detail.


@pytest.mark.django_db
def test_detail_contents(api, principal, reviewer):
    filing = in_state(State.PROVIDER_REVIEW, principal=principal, reviewer=reviewer)
    body = api(principal).get(detail_url(filing)).json()
    assert body["state"] == State.PROVIDER_REVIEW
    assert body["state_label"] == "服务商初审"
    assert body["version"] == filing.version
    assert body["province"]["icp_abbreviation"] == "粤"
    website = body["websites"][0]
    assert website["name"] == "星河科技产品展示"
    assert website["principal"]["name"] == filing.subject_principal.name
    assert website["domains"][0]["name"].endswith(".cn")
    assert [e["transition"] for e in body["events"]] == ["submit"]
    assert (
        body["events"][0]["from_state"] == State.ENTRY
        and body["events"][0]["to_state"] == State.PROVIDER_REVIEW
    )
    open_kinds = {d["kind"] for d in body["deadlines"] if d["closed_at"] is None}
    assert open_kinds == {"prereview_target", "prereview_overdue"}
    assert all("provisional" in d and d["due_at"] for d in body["deadlines"])
    assert set(body["available_transitions"]) == {"withdraw"}
    assert body["materials"]


# Create and update.


@pytest.mark.django_db
def test_create_a_draft(api, principal):
    data = payload()
    response = post_json(api(principal), LIST, data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == State.ENTRY
    assert body["version"] == 1
    assert body["websites"][0]["domains"][0]["name"] == "yunfan-demo.cn"  # normalised
    assert body["websites"][0]["principal"]["name"] == "陈云帆"
    assert [e["transition"] for e in body["events"]] == ["create"]
    filing = Filing.objects.get(pk=body["id"])
    assert filing.assignee == principal
    assert filing.subject.certificate_number == data["subject"]["certificate_number"]
    assert Deadline.objects.filter(filing=filing, kind="stale_entry", closed_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_update_a_draft_with_its_version(api, principal, filing):
    client = api(principal)
    version = client.get(detail_url(filing)).json()["version"]
    response = patch_json(
        client,
        detail_url(filing),
        {"version": version, "subject": {**_subject_of(filing), "business_scope": "新范围"}},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == version + 1
    assert Subject.objects.get(pk=filing.subject_id).business_scope == "新范围"
    edit = FilingEvent.objects.get(filing=filing, transition="edit")
    assert {
        "field": "subject.business_scope",
        "old": "计算机软件开发;信息技术咨询服务",
        "new": "新范围",
    } in edit.reasons


def _subject_of(filing) -> dict:
    subject = filing.subject
    return {
        "kind": subject.kind,
        "name": subject.name,
        "certificate_kind": subject.certificate_kind,
        "certificate_number": subject.certificate_number,
        "licence_long_term": subject.licence_long_term,
        "city": subject.city,
        "registered_address": subject.registered_address,
        "postal_address": subject.postal_address,
        "legal_representative": subject.legal_representative,
    }


@pytest.mark.django_db
def test_update_with_a_stale_version_is_a_conflict(api, principal, filing):
    client = api(principal)
    version = filing.version
    assert (
        patch_json(client, detail_url(filing), {"version": version, "filing_type": "new_website"}).status_code
        == 200
    )
    response = patch_json(client, detail_url(filing), {"version": version, "filing_type": "change"})
    assert response.status_code == 409
    assert "刷新" in response.json()["detail"]
    assert Filing.objects.get(pk=filing.pk).filing_type == Filing.Type.NEW_WEBSITE


@pytest.mark.django_db
def test_update_outside_entry_is_a_conflict(api, principal, reviewer):
    filing = in_state(State.PROVIDER_REVIEW, principal=principal, reviewer=reviewer)
    response = patch_json(
        api(principal), detail_url(filing), {"version": filing.version, "filing_type": "change"}
    )
    assert response.status_code == 409
    assert "不能修改" in response.json()["detail"]
    assert Filing.objects.get(pk=filing.pk).filing_type == Filing.Type.FIRST


@pytest.mark.django_db
def test_duplicate_open_filing_is_refused(api, principal, other_principal):
    data = payload()
    assert post_json(api(principal), LIST, data).status_code == 201
    again = copy.deepcopy(data)
    response = post_json(api(other_principal), LIST, again)
    assert response.status_code == 400
    assert "进行中的备案" in response.json()["detail"]
    assert (
        Filing.objects.filter(subject__certificate_number=data["subject"]["certificate_number"]).count() == 1
    )


# Transitions by name.


@pytest.mark.django_db
def test_transitions_by_name(api, principal, reviewer, filing):
    response = post_json(api(principal), transition_url(filing, "submit"), {"comment": "请审核"})
    assert response.status_code == 200, response.json()
    reasons = [{"field": "website.name", "reason": "名称与内容不符", "suggested_fix": "修改名称"}]
    response = post_json(
        api(reviewer), transition_url(filing, "return_to_entry"), {"comment": "请修改", "reasons": reasons}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == State.ENTRY
    returned = body["events"][-1]
    assert returned["transition"] == "return_to_entry"
    assert returned["comment"] == "请修改"
    assert returned["reasons"] == [{**reasons[0], "code": ""}]
    assert returned["actor"] == str(reviewer)


@pytest.mark.django_db
def test_transition_errors(api, principal, reviewer, filing):
    client = api(principal)
    assert post_json(client, transition_url(filing, "expire_sms"), {}).status_code == 404
    assert post_json(client, transition_url(filing, "delete"), {}).status_code == 404
    response = post_json(client, transition_url(filing, "approve"), {})
    assert response.status_code == 409  # not from entry
    assert "信息填报" in response.json()["detail"]
    transitions.submit_filing(filing, by=principal)
    response = post_json(api(reviewer), transition_url(filing, "return_to_entry"), {"comment": "无原因"})
    assert response.status_code == 400
    assert "reasons" in response.json()["errors"]
    response = post_json(
        api(reviewer), transition_url(filing, "return_to_entry"), {"reasons": [{"field": "x"}]}
    )
    assert response.status_code == 400
    assert Filing.objects.get(pk=filing.pk).state == State.PROVIDER_REVIEW


@pytest.mark.django_db
def test_submit_with_failing_checks_lists_them(api, principal, filing):
    from filings.models import Website

    Website.objects.filter(filing=filing).update(server_valid_until=timezone.localdate() + timedelta(days=10))
    response = post_json(api(principal), transition_url(filing, "submit"), {})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "checks_failed"
    assert [e["code"] for e in body["errors"]] == ["server_validity"]
    assert body["errors"][0]["fix"]


@pytest.mark.django_db
def test_complete_sms_through_the_api(api, principal, reviewer):
    filing = in_state(State.SMS_VERIFICATION, principal=principal, reviewer=reviewer)
    client = api(principal)
    verifier = client.get(detail_url(filing)).json()["sms_verifiers"][0]
    assert post_json(client, transition_url(filing, "complete_sms"), {}).status_code == 400
    assert (
        post_json(client, transition_url(filing, "complete_sms"), {"verifier_id": 10**12}).status_code == 400
    )
    response = post_json(client, transition_url(filing, "complete_sms"), {"verifier_id": verifier["id"]})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.BUREAU_REVIEW


@pytest.mark.django_db
def test_approve_and_register_public_security(api, principal, reviewer):
    filing = in_state(State.BUREAU_REVIEW, principal=principal, reviewer=reviewer)
    response = post_json(
        api(reviewer), transition_url(filing, "approve"), {"icp_number": "京ICP备2026000001号"}
    )
    assert response.status_code == 400
    assert "icp_number" in response.json()["errors"]
    response = post_json(
        api(reviewer), transition_url(filing, "approve"), {"icp_number": "粤ICP备2026000001号"}
    )
    assert response.status_code == 200
    assert response.json()["websites"][0]["icp_number"] == "粤ICP备2026000001号-1"
    response = post_json(
        api(principal),
        transition_url(filing, "register_public_security"),
        {"psb_number": "粤公网安备44030502000001号"},
    )
    assert response.status_code == 200
    assert response.json()["psb_number"] == "粤公网安备44030502000001号"
    assert "register_public_security" not in response.json()["available_transitions"]


# Bad input.


def _with(data: dict, path: str, value):
    data = copy.deepcopy(data)
    keys = path.split(".")
    target = data
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "value", "error_path"),
    [
        ("subject.certificate_number", "91110108551385082A", ("subject", "certificate_number")),
        ("subject.certificate_number", "123", ("subject", "certificate_number")),
        ("subject.certificate_kind", "resident_id", ("subject", "certificate_number")),  # a USCC is no ID
        ("subject_principal.mobile", "12345", ("subject_principal", "mobile")),
        ("subject_principal.emergency_phone", "abc", ("subject_principal", "emergency_phone")),
        ("subject_principal.id_valid_until", "2026-02-30", ("subject_principal", "id_valid_until")),
        ("subject_principal.email", "not-an-email", ("subject_principal", "email")),
        ("websites.0.server_valid_until", "tomorrow", ("websites", 0, "server_valid_until")),
        ("websites.0.server_ip", "999.1.1.1", ("websites", 0, "server_ip")),
        ("websites.0.homepage", "not a url", ("websites", 0, "homepage")),
        ("websites.0.name", "名" * 65, ("websites", 0, "name")),
        ("subject.name", "长" * 101, ("subject", "name")),
        ("subject.business_scope", "范" * 2001, ("subject", "business_scope")),
        ("province", "99", ("province",)),
        ("province", "粤", ("province",)),
        ("filing_type", "renewal", ("filing_type",)),
        ("subject.kind", "alien", ("subject", "kind")),
        ("websites", [], ("websites",)),
        ("subject_principal.name", "", ("subject_principal", "name")),
    ],
)
def test_bad_create_input_gets_field_messages(api, principal, path, value, error_path):
    response = post_json(api(principal), LIST, _with(payload(), path, value))
    assert response.status_code == 400, response.content
    errors = response.json()
    for key in error_path:
        errors = errors[str(key)]  # list items are reported under their index
    if isinstance(errors, dict):  # e.g. {"non_field_errors": [...]} for a list that is too short
        errors = [m for messages in errors.values() for m in messages]
    assert isinstance(errors, list) and errors
    assert all(isinstance(m, str) and m for m in errors)
    assert Filing.objects.count() == 0
    assert Subject.objects.count() == 0


@pytest.mark.django_db
def test_bad_domain_is_a_field_error(api, principal):
    response = post_json(api(principal), LIST, _with(payload(), "websites.0.domains.0.name", "exa mple.cn"))
    assert response.status_code == 400
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "domains" in body and "格式不正确" in body
    assert Filing.objects.count() == 0 and Subject.objects.count() == 0


@pytest.mark.django_db
def test_ip_address_as_domain_is_a_field_error(api, principal):
    response = post_json(api(principal), LIST, _with(payload(), "websites.0.domains.0.name", "203.0.113.5"))
    assert response.status_code == 400
    body = json.dumps(response.json(), ensure_ascii=False)
    assert "domains" in body and "IP地址" in body
    assert Filing.objects.count() == 0


@pytest.mark.django_db
def test_messages_are_chinese_by_default_and_english_on_request(api, principal):
    data = _with(payload(), "subject_principal.name", "")
    chinese = post_json(api(principal), LIST, data).json()["subject_principal"]["name"][0]
    english = post_json(api(principal), LIST, data, HTTP_ACCEPT_LANGUAGE="en").json()["subject_principal"][
        "name"
    ][0]
    assert chinese == "该字段不能为空。"
    assert english == "This field may not be blank."
    missing = {k: v for k, v in payload().items() if k != "province"}
    assert post_json(api(principal), LIST, missing).json()["province"] == ["该字段是必填项。"]
    assert post_json(api(principal), LIST, missing, HTTP_ACCEPT_LANGUAGE="en").json()["province"] == [
        "This field is required."
    ]


@pytest.mark.django_db
def test_malformed_json_is_a_400(api, principal, filing):
    client = api(principal)
    for url in (LIST, transition_url(filing, "submit")):
        response = client.post(url, data='{"province": "44",', content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"]
    response = client.patch(detail_url(filing), data="not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_malformed_json_is_explained_in_the_readers_language(api, principal):
    client = api(principal)
    body = '{"province": "44",\n "filing_type" "first"}'
    response = client.post(LIST, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容不是有效的 JSON(第 2 行第 16 列附近)。", response.json()
    english = client.post(LIST, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "The request body is not valid JSON (near line 2, column 16).", (
        english.json()
    )


MALFORMED_BODIES = [
    None,
    [],
    "text",
    12,
    {"province": None},
    {"province": ["44"]},
    {"province": {"code": "44"}},
    {"subject": "公司"},
    {"subject": None, "websites": None},
    {"websites": "site"},
    {"websites": [None]},
    {"websites": [[]]},
    {"websites": [{"domains": "a.cn"}]},
    {"websites": [{"domains": [None]}]},
    {"websites": [{"domains": [{"name": None}]}]},
    {"websites": [{"principal": "same"}]},
    {"websites": [{"languages": [{"a": 1}]}]},
    {"websites": [{"prior_approvals": [{"category": "news"}]}]},
    {"subject_principal": {"mobile": 13800138000}},
    {"subject_principal": {"id_valid_until": "9999-99-99"}},
    {"subject_principal": {"id_valid_until": 20260101}},
    {"subject": {"licence_long_term": "maybe"}},
    {"subject": {"certificate_number": "\u0000\u0000"}},
    {"subject": {"name": "\ud800"}},
    {"filing_type": True},
    {"version": "abc"},
    {"version": -1},
    {"version": 10**30},
]


def _variants():
    base = payload()
    for body in MALFORMED_BODIES:
        yield body
        if isinstance(body, dict):
            # The same fragment inside an otherwise valid body.
            merged = copy.deepcopy(base)
            for key, value in body.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                elif isinstance(value, list) and value and isinstance(value[0], dict) and key == "websites":
                    merged[key] = [{**merged[key][0], **value[0]}]
                else:
                    merged[key] = value
            yield merged
    yield _with(base, "websites.0.domains.0.name", "\u0000.cn")
    yield _with(base, "websites.0.domains.0.name", "a" * 300)
    yield _with(base, "websites.0.domains", [copy.deepcopy(base["websites"][0]["domains"][0])] * 2)
    yield _with(base, "websites.0.domains.0.id", 10**20)
    yield _with(base, "websites.0.id", 10**20)
    yield _with(base, "websites.0.principal", {"same_as_subject_principal": False})
    yield _with(base, "subject.licence_valid_until", "0001-01-01")
    yield _with(base, "subject_principal.id_valid_until", "9999-12-31")


@pytest.mark.django_db
def test_no_malformed_body_makes_the_server_fail(api, principal, reviewer):
    filing = in_state(State.PROVIDER_REVIEW, principal=principal, reviewer=reviewer)
    draft = factories.ready_filing(assignee=principal)
    principal_client, reviewer_client = api(principal), api(reviewer)
    raw = ['{"a":', "\xff\xfe", "[" * 500 + "]" * 500, '{"websites": ' + "[" * 200 + "]" * 200 + "}"]
    for body in list(_variants()) + raw:
        data = body if isinstance(body, str) and body in raw else json.dumps(body)
        for client, method, url in (
            (principal_client, "post", LIST),
            (principal_client, "patch", detail_url(draft)),
            (reviewer_client, "post", transition_url(filing, "return_to_entry")),
            (reviewer_client, "post", transition_url(filing, "reject")),
            (principal_client, "post", transition_url(draft, "submit")),
        ):
            response = getattr(client, method)(url, data=data, content_type="application/json")
            assert response.status_code < 500, (method, url, body, response.content[:300])
    for url in (
        "/api/v1/filings/99999999999999999999999/",
        "/api/v1/filings/?page=abc",
        "/api/v1/filings/?page=99999",
        "/api/v1/filings/?page_size=abc",
        "/api/v1/filings/?page_size=-5",
        "/api/v1/filings/?overdue=maybe",
        "/api/v1/filings/?province=%00",
        "/api/v1/filings/?q=%00",
        "/api/v1/filings/?domain=%00",
        "/api/v1/filings/?state=%00",
    ):
        response = principal_client.get(url)
        assert response.status_code < 500, (url, response.content[:300])
    reasons_bodies = [
        {"reasons": "原因"},
        {"reasons": [{"reason": "\u0000"}]},
        {"reasons": [{"reason": "x" * 501}]},
        {"comment": "c" * 2001, "reasons": [{"reason": "原因"}]},
        {"reasons": [{"reason": "原因", "field": {"a": 1}}]},
        {"website_numbers": {"abc": "x", "1": None}},
        {"verifier_id": "one"},
    ]
    for body in reasons_bodies:
        response = post_json(reviewer_client, transition_url(filing, "return_to_entry"), body)
        assert response.status_code == 400, (body, response.content[:300])
    assert Filing.objects.get(pk=filing.pk).state == State.PROVIDER_REVIEW


# Token auth, schema, docs.


@pytest.mark.django_db
def test_token_created_by_the_command_authenticates(principal, filing, capsys):
    call_command("create_api_token", principal.username)
    key = capsys.readouterr().out.strip()
    token = AuthToken.objects.get(user=principal)
    # Only a digest is stored; the token itself is printed once.
    assert len(key) == 64 and key not in (token.digest, token.token_key)
    client = APIClient()
    assert client.get(LIST).status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(LIST)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [filing.pk]
    # Token requests are not subject to CSRF; a write works too.
    assert post_json(client, transition_url(filing, "withdraw"), {}).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(LIST).status_code in (401, 403)


@pytest.mark.django_db
def test_session_writes_need_csrf(principal, filing):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(principal)
    assert client.get(LIST).status_code == 200
    response = post_json(client, transition_url(filing, "withdraw"), {})
    assert response.status_code == 403
    assert Filing.objects.get(pk=filing.pk).state == State.ENTRY


@pytest.mark.django_db
def test_schema_and_docs(api, principal):
    client = api(principal)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/filings/{id}/transitions/{name}/" in schema.content
    assert client.get("/api/schema/?format=json").status_code == 200
    assert client.get("/api/docs/").status_code == 200


# Masking.


@pytest.mark.django_db
def test_manager_sees_masked_personal_data(api, principal, reviewer, manager):
    filing = in_state(State.SMS_VERIFICATION, principal=principal, reviewer=reviewer)
    person = filing.subject_principal
    body = api(manager).get(detail_url(filing)).json()
    shown = body["subject_principal"]
    assert shown["id_number"] != person.id_number and "*" in shown["id_number"]
    assert shown["id_number"][:4] == person.id_number[:4]
    assert shown["mobile"] == person.mobile[:3] + "****" + person.mobile[-4:]
    assert "*" in shown["emergency_phone"]
    assert body["websites"][0]["principal"]["mobile"] != person.mobile
    assert body["sms_verifiers"][0]["mobile"] != person.mobile
    raw = json.dumps(body, ensure_ascii=False)
    assert person.id_number not in raw and person.mobile not in raw


@pytest.mark.parametrize("role", ["principal", "reviewer"])
@pytest.mark.django_db
def test_principal_and_reviewer_see_personal_data(api, principal, reviewer, role):
    filing = in_state(State.SMS_VERIFICATION, principal=principal, reviewer=reviewer)
    person = filing.subject_principal
    body = api({"principal": principal, "reviewer": reviewer}[role]).get(detail_url(filing)).json()
    assert body["subject_principal"]["id_number"] == person.id_number
    assert body["subject_principal"]["mobile"] == person.mobile
    assert body["sms_verifiers"][0]["mobile"] == person.mobile


@pytest.mark.django_db
def test_manager_does_not_see_personal_data_in_the_history(api, principal, manager, filing):
    person = filing.subject_principal
    new_mobile = make_mobile(factories.rng)
    drafts.update_filing(
        filing,
        by=principal,
        expected_version=filing.version,
        subject_principal={"mobile": new_mobile, "name": person.name, "id_number": person.id_number},
    )
    raw = json.dumps(api(manager).get(detail_url(filing)).json(), ensure_ascii=False)
    assert person.mobile not in raw and new_mobile not in raw
    assert new_mobile in json.dumps(api(principal).get(detail_url(filing)).json(), ensure_ascii=False)


@pytest.mark.django_db
def test_manager_does_not_see_an_individuals_id_number(api, principal, manager, filing):
    number = make_resident_id(factories.rng, "44")
    Subject.objects.filter(pk=filing.subject_id).update(
        kind="individual", certificate_kind="resident_id", certificate_number=number
    )
    from filings.models import Domain

    Domain.objects.filter(website__filing=filing).update(registrant_certificate_number=number)
    raw = json.dumps(api(manager).get(detail_url(filing)).json(), ensure_ascii=False)
    assert number not in raw
    assert number in json.dumps(api(principal).get(detail_url(filing)).json(), ensure_ascii=False)


@pytest.mark.django_db
def test_websites_can_be_reordered_and_replaced(api, principal):
    client = api(principal)
    body = payload()
    second = {**body["websites"][0], "name": "云帆博客", "homepage": "https://blog.yunfan-demo.cn/"}
    second["domains"] = [{**second["domains"][0], "name": "yunfan-blog.cn"}]
    created = post_json(client, LIST, {**body, "websites": [body["websites"][0], second]}).json()
    first_id, second_id = (w["id"] for w in created["websites"])
    url = f"{LIST}{created['id']}/"

    def websites(data):
        return [{**site, "id": site["id"]} for site in data]

    swapped = websites(reversed(client.get(url).json()["websites"]))
    response = patch_json(client, url, {"version": created["version"], "websites": swapped})
    assert response.status_code == 200, response.json()
    assert [w["id"] for w in response.json()["websites"]] == [second_id, first_id]

    fresh = {k: v for k, v in swapped[0].items() if k != "id"}
    fresh["name"] = "云帆新站"
    response = patch_json(client, url, {"version": response.json()["version"], "websites": [fresh]})
    assert response.status_code == 200, response.json()
    assert [w["name"] for w in response.json()["websites"]] == ["云帆新站"]
    assert not Website.objects.filter(pk__in=[first_id, second_id]).exists()
