"""People read and pick fields by their Chinese labels: the reviewer's reasons form, the e-mail, the pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from filings.kinds.states import State
from filings.models import FilingEvent, RejectionReason
from filings.rules.fields import field_choices, field_label
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db
FIELD_CODE = re.compile(
    r"\b(?:subject|subject_principal|website_principal|website|domain|materials)\.[a-z_]+\b"
)


def _submitted(principal):
    return transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return " ".join(re.findall(r">([^<>]+)<", html))


def test_labels_read_as_section_and_field():
    assert field_label("subject.postal_address") == "备案主体 · 通信地址"
    assert field_label("domain.registrant_name").startswith("域名 · ")
    assert field_label("materials.business_licence") == "营业执照/主体证件"
    groups = dict(field_choices())
    assert set(groups) >= {"备案主体", "主体负责人", "网站负责人", "网站", "域名", "材料"}
    assert ("website.name", "网站名称") in groups["网站"]


def test_the_reasons_form_shows_labels_grouped_and_no_field_codes(client, principal, reviewer):
    filing = _submitted(principal)
    client.force_login(reviewer)

    body = client.get(reverse("filings:review-filing", kwargs={"filing_id": filing.pk})).content.decode()

    assert not FIELD_CODE.findall(visible_text(body)), FIELD_CODE.findall(visible_text(body))
    assert "(subject.postal_address)" not in body and 'placeholder="website.name"' not in body
    assert '<optgroup label="域名">' in body
    assert '<option value="subject.postal_address">备案主体 · 通信地址</option>' in body
    assert "(备案主体 · 通信地址)" in body  # the catalogued reason names its field by label
    assert "data-reason-filter" in body  # the search box


def test_a_return_names_fields_by_label_in_the_email(
    client, principal, reviewer, django_capture_on_commit_callbacks
):
    principal.email = "principal@example.cn"
    principal.save(update_fields=["email"])
    filing = _submitted(principal)
    catalogued = RejectionReason.objects.get(code="description-too-vague")
    client.force_login(reviewer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("filings:review-return", kwargs={"filing_id": filing.pk}),
            {
                "codes": [catalogued.code],
                "field": "domain.registrant_name",
                "reason": "注册人与主体不一致",
                "suggested_fix": "请过户域名",
            },
        )

    assert response.status_code == 302
    event = FilingEvent.objects.get(filing=filing, transition="return_to_entry")
    assert [r["field"] for r in event.reasons] == ["website.description", "domain.registrant_name"]
    body = mail.outbox[-1].body
    assert "网站 · 内容描述:" + catalogued.reason in body
    assert f"{field_label('domain.registrant_name')}:注册人与主体不一致 建议:请过户域名" in body
    assert not FIELD_CODE.findall(body), body
    # The e-mail links to the place to act, as the inbox row does.
    assert f"查看原因并修改:http://127.0.0.1:8000/filings/{filing.pk}/#reasons" in body


def test_a_field_not_in_the_list_is_refused_with_a_message(client, principal, reviewer):
    filing = _submitted(principal)
    client.force_login(reviewer)

    response = client.post(
        reverse("filings:review-return", kwargs={"filing_id": filing.pk}),
        {"field": "website.nonsense", "reason": "x"},
    )

    assert response.status_code == 400
    assert "填写有误" in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW


def test_the_email_to_the_principal_is_in_chinese_whatever_language_the_reviewer_reads(
    client, principal, reviewer, django_capture_on_commit_callbacks
):
    principal.email = "principal@example.cn"
    principal.save(update_fields=["email"])
    filing = _submitted(principal)
    client.force_login(reviewer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("filings:review-return", kwargs={"filing_id": filing.pk}),
            {"reason": "注册人与主体不一致", "field": "domain.registrant_name"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 302
    # The principal's language is not known: their mail is in the site's language, as alert mails are.
    message = mail.outbox[-1]
    assert message.subject.startswith("[备案进度]"), message.subject
    assert "阶段:服务商初审 → 信息填报" in message.body, message.body
