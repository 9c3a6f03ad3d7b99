"""Hostile text: spreadsheet formulas and control characters at the way in and in the exports."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from filings.models import Filing
from filings.services import transitions
from tests import factories
from tests.test_api import LIST, detail_url, patch_json, payload, post_json
from tests.test_principal_views import edit_data

FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "=1+1", "@SUM(A1:A2)", "+86-1", "-2+3"]


def _open_filing_named(principal, name: str) -> Filing:
    # Stored directly: this is what a subject name became before control characters were refused.
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    filing.subject.name = name
    filing.subject.save(update_fields=["name"])
    return filing


def _xlsx() -> bytes:
    """The Excel file the export worker writes for the open filings in pre-review."""
    from filings.reads import dashboard as dashboard_stats
    from filings.reads import exports

    out = io.BytesIO()
    filings = dashboard_stats.open_filings(state="provider_review")
    exports.write_xlsx(exports.filing_table(filings, name="open-filings"), out)
    return out.getvalue()


def _export(client, fmt: str):
    url = reverse("filings:dashboard-open") + f"?state=provider_review&format={fmt}"
    return client.get(url)


@pytest.mark.parametrize("name", FORMULAS)
def test_exports_write_formulas_as_text(principal, manager, name):
    filing = _open_filing_named(principal, name)
    client = Client()
    client.force_login(manager)

    response = _export(client, "csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    cells = lines[1].split(",", 2)
    assert cells[0] == str(filing.pk)
    # The apostrophe keeps a spreadsheet from evaluating it; the text itself is kept.
    assert cells[1].strip('"').startswith("'" + name[:3])

    workbook = load_workbook(io.BytesIO(_xlsx()))
    cell = workbook.active.cell(row=2, column=2)
    assert cell.value == name and cell.data_type == "s" and cell.quotePrefix


def test_exports_survive_control_characters_already_stored(principal, manager):
    filing = _open_filing_named(principal, "星河\x01科技\x1b有限\x07公司")
    client = Client()
    client.force_login(manager)

    workbook = load_workbook(io.BytesIO(_xlsx()))
    assert workbook.active.cell(row=2, column=2).value == "星河科技有限公司"
    csv_lines = b"".join(_export(client, "csv").streaming_content).decode("utf-8-sig").splitlines()
    assert csv_lines[1] == f"{filing.pk},星河科技有限公司," + csv_lines[1].split(",", 2)[2]


@pytest.mark.parametrize(
    "bad", ["星河\x00科技", "星河\x1b[31m科技", "星河\u2028科技", "星河\n科技", "星河\x85科技"]
)
def test_api_refuses_control_characters_in_one_line_fields(api, principal, bad):
    response = post_json(api(principal), LIST, payload(name=bad))
    assert response.status_code == 400
    assert "控制字符" in str(response.json()) or "不能包含" in str(response.json())
    assert not Filing.objects.exists()


def test_api_keeps_line_breaks_where_a_field_allows_them(api, principal):
    response = post_json(api(principal), LIST, payload(business_scope="软件开发\r\n信息技术咨询"))
    assert response.status_code == 201, response.json()
    response = post_json(api(principal), LIST, payload(business_scope="软件\x0c开发"))
    assert response.status_code in (400, 409)


def test_api_refuses_control_characters_in_reasons_and_updates(api, principal, reviewer, filing):
    filing = transitions.submit_filing(filing, by=principal)
    body = {"reasons": [{"field": "subject", "reason": "缺少\x00材料"}]}
    response = post_json(api(reviewer), f"/api/v1/filings/{filing.pk}/transitions/return_to_entry/", body)
    assert response.status_code == 400
    filing.refresh_from_db()
    assert filing.state == "provider_review"

    draft = factories.ready_filing(assignee=principal)
    current = api(principal).get(detail_url(draft)).json()
    response = patch_json(
        api(principal), detail_url(draft), {"version": current["version"], "websites": [{"name": "a\x1bb"}]}
    )
    assert response.status_code == 400


def test_entry_form_refuses_control_characters(principal, filing):
    client = Client()
    client.force_login(principal)
    url = reverse("filings:edit", args=[filing.pk])
    response = client.post(url, edit_data(filing, **{"subject-name": "星河\x08科技有限公司"}))
    assert response.status_code in (200, 400)
    assert "控制字符" in response.content.decode()
    filing.subject.refresh_from_db()
    assert "\x08" not in filing.subject.name

    response = client.post(url, edit_data(filing, **{"subject-business_scope": "软件开发\r\n技术咨询"}))
    assert response.status_code == 302
    filing.subject.refresh_from_db()
    assert filing.subject.business_scope.splitlines() == ["软件开发", "技术咨询"]


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "  =SUM(A1)",
        "+86",
        "-2",
        "@cmd",
        "\t=1",
        "\r=1",
        "＝1",
        "＋1",
        "－1",
        "＠x",
        "a=b",
        "星河-科技",
        "",
        " ",
        "x\x01y",
        "\x7fz",
        "x\x85y",
        " \x00=1",
        "2026-11-29",
    ],
)
def test_a_csv_cell_is_what_cleaning_and_the_formula_check_make_of_it(text):
    from filings.reads import exports

    # The one-search fast path leaves alone exactly the cells that need neither step.
    cleaned = exports.clean_text(text)
    expected = "'" + cleaned if exports.reads_as_formula(cleaned) else cleaned
    assert exports.csv_cell(text) == expected


# Direction overrides, isolates and zero-width characters (issue #23): text that reads one way and is another.
INVISIBLE = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
INVISIBLE += ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_api_refuses_invisible_formatting_in_names_and_addresses(api, principal, char):
    for field in ("name", "postal_address"):
        response = post_json(api(principal), LIST, payload(**{field: f"星河{char}科技有限公司"}))
        assert response.status_code == 400, field
        assert "不可见字符" in str(response.json()["subject"][field])
    assert not Filing.objects.exists()


def test_api_refuses_invisible_formatting_in_a_person_and_a_website(api, principal):
    body = payload()
    body["subject_principal"]["name"] = "陈\u202e帆云"
    assert post_json(api(principal), LIST, body).status_code == 400
    draft = factories.ready_filing(assignee=principal)
    current = api(principal).get(detail_url(draft)).json()
    response = patch_json(
        api(principal),
        detail_url(draft),
        {"version": current["version"], "websites": [{"name": "云\u200b帆"}]},
    )
    assert response.status_code == 400
    assert not Filing.objects.exclude(pk=draft.pk).exists()
    assert not draft.websites.filter(name__contains="\u200b").exists()


@pytest.mark.parametrize("field", ["subject-name", "subject-registered_address"])
def test_entry_form_refuses_invisible_formatting(principal, filing, field):
    client = Client()
    client.force_login(principal)
    before = {"name": filing.subject.name, "registered_address": filing.subject.registered_address}
    response = client.post(
        reverse("filings:edit", args=[filing.pk]), edit_data(filing, **{field: "广州市\u202e号1路西育体"})
    )
    assert response.status_code in (200, 400)
    assert "不可见字符" in response.content.decode()
    filing.subject.refresh_from_db()
    assert {"name": filing.subject.name, "registered_address": filing.subject.registered_address} == before


def test_a_nul_byte_in_a_form_field_gets_our_one_message(principal, filing):
    client = Client()
    client.force_login(principal)
    url = reverse("filings:edit", args=[filing.pk])
    before = filing.subject.name
    response = client.post(url, edit_data(filing, **{"subject-name": "星河\x00科技有限公司"}))
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("不能包含换行或控制字符,请删除后重新填写。") == 1
    assert "空字符" not in page and "Null characters" not in page
    filing.subject.refresh_from_db()
    assert filing.subject.name == before


@pytest.mark.parametrize("field", ["q", "domain"])
def test_a_nul_byte_in_the_list_search_gets_our_message(principal, field):
    client = Client()
    client.force_login(principal)
    response = client.get(reverse("filings:list"), {field: "星河\x00"})
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("不能包含换行或控制字符,请删除后重新填写。") == 1
    assert "空字符" not in page


def test_a_nul_byte_in_an_api_text_field_gets_our_one_message(api, principal):
    body = payload(name="星河\x00科技有限公司")
    body["subject_principal"]["name"] = "陈\x00帆"
    response = post_json(api(principal), LIST, body)
    assert response.status_code == 400
    ours = ["不能包含换行或控制字符,请删除后重新填写。"]
    assert response.json()["subject"]["name"] == ours
    assert response.json()["subject_principal"]["name"] == ours
    assert not Filing.objects.exists()
