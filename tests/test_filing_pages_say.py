"""What the pages say of a filing: its history names every change (prior approvals too), the
reviewer sees what changed since a return, number errors come all at once in words, the SMS step
says who sends what, and app filings speak of apps."""

import pytest
from django.urls import reverse

from filings.models import Filing, SmsVerifier
from filings.services import drafts, transitions
from tests import factories
from tests.test_changes import entry_payload

pytestmark = pytest.mark.django_db


def _edit(filing, by, **website_fields):
    filing = Filing.objects.get(pk=filing.pk)
    payload = entry_payload(filing)
    payload["websites"][0].update(website_fields)
    return drafts.update_filing(filing, by=by, expected_version=filing.version, websites=payload["websites"])


def test_history_counts_an_added_prior_approval(principal):
    filing = factories.ready_filing(assignee=principal)
    _edit(filing, principal, prior_approvals=[{"category": "news", "licence_number": "新出审字2026-001"}])
    event = filing.events.filter(transition="edit").latest("at")
    assert event.shown_comment == "修改了 1 处信息。"
    assert event.reasons[0]["new"] == "news 新出审字2026-001"


def test_the_reviewer_sees_what_changed_since_the_return(client, principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    reasons = [
        {"field": "website.description", "reason": "内容描述过于简单", "suggested_fix": "写明主要内容"}
    ]
    filing = transitions.return_filing(filing, by=reviewer, reasons=reasons)
    old = filing.websites.get().description
    _edit(filing, principal, description="介绍本公司的产品与服务,并提供联系方式。")
    transitions.submit_filing(Filing.objects.get(pk=filing.pk), by=principal)
    client.force_login(reviewer)

    page = client.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()

    section = page.split('id="since-return-h"', 1)[1].split("</section>", 1)[0]
    assert "内容描述" in section
    assert (
        f"<del>{old or '—'}</del>" in section
        and "<ins>介绍本公司的产品与服务,并提供联系方式。</ins>" in section
    )


def test_every_wrong_number_is_shown_at_once_without_field_codes(client, principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    second = factories.WebsiteFactory(filing=filing, position=2)
    factories.DomainFactory(website=second)
    factories.add_required_materials(filing)
    filing = factories.carry_to_bureau(filing, reviewer=reviewer)
    websites = list(filing.websites.order_by("position"))
    client.force_login(reviewer)
    number = f"{filing.province.icp_abbreviation}ICP备2026012345号"

    response = client.post(
        reverse("filings:review-approve", args=[filing.pk]),
        {"icp_number": number, **{f"website_{w.pk}": "错误的备案号" for w in websites}},
    )

    page = response.content.decode()
    assert response.status_code == 400
    for website in websites:
        assert f"{website.name}:" in page
    assert "website_numbers" not in page and "app_numbers" not in page


def test_the_sms_step_says_who_sends_the_code_and_that_the_log_channel_sends_nothing(
    client, principal, reviewer, settings
):
    settings.BEIAN_SMS_BACKEND = "filings.services.notifications.LoggingSmsBackend"
    filing = transitions.pass_review(
        transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal), by=reviewer
    )
    assert SmsVerifier.objects.filter(filing=filing).exists()
    client.force_login(principal)
    page = client.get(reverse("filings:sms", args=[filing.pk])).content.decode()
    assert "由工信部备案系统(不是本系统)" in page
    assert "不会向任何手机发送短信" in page
    settings.BEIAN_SMS_BACKEND = "tests.test_filing_pages_say.GatewayBackend"
    page = client.get(reverse("filings:sms", args=[filing.pk])).content.decode()
    assert "不会向任何手机发送短信" not in page


class GatewayBackend:
    """A channel that is not the logging one (nothing is sent through it here)."""

    def send(self, *, mobile: str, text: str) -> None:
        raise AssertionError("not called")


def test_app_pages_speak_of_apps(client, principal, reviewer, published):
    filing = transitions.submit_filing(
        factories.ready_app_filing(published, kind="mini_program"), by=principal
    )
    client.force_login(reviewer)
    review = client.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    assert 'value="app.name"' in review and 'value="app_principal.mobile"' in review
    assert 'value="domain.name"' not in review

    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    filing = transitions.approve_filing(filing, by=reviewer, icp_number=published.icp_number)
    client.force_login(principal)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "注销小程序" in page
    assert "页脚" not in page and "网站开通日期" not in page
    listing = client.get(reverse("filings:list")).content.decode()
    assert f"{published.subject.name} · {filing.apps.get().name}" in listing


def test_a_reason_naming_no_field_is_shown_without_an_empty_label(client, principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    transitions.return_filing(filing, by=reviewer, reasons=[{"field": "", "reason": "内容与经营范围不符"}])
    client.force_login(principal)
    edit = reverse("filings:edit", args=[filing.pk])
    for url in (filing.get_absolute_url(), edit):
        page = client.get(url).content.decode()
        assert "<li>内容与经营范围不符" in page
        assert "<strong></strong>" not in page
    detail = client.get(filing.get_absolute_url()).content.decode()
    assert f'<a href="{edit}">' in detail and "focus=&" not in detail and 'focus="' not in detail


def test_materials_that_only_need_a_look_are_not_summed_up_as_failing(client, principal):
    filing = factories.ready_filing(assignee=principal)
    client.force_login(principal)
    url = reverse("filings:detail", args=[filing.pk])
    total = filing.materials.count()
    # A PDF cannot be checked for resolution and corners: its check says 提示 (look at it), not 未通过.
    filing.materials.update(check_status="warning")
    page = client.get(url).content.decode()
    assert f'<span class="fold-status badge warn">0/{total} 项通过,{total} 项提示</span>' in page
    filing.materials.filter(pk=filing.materials.first().pk).update(check_status="fail")
    page = client.get(url).content.decode()
    assert f'<span class="fold-status badge fail">0/{total} 项通过,{total - 1} 项提示</span>' in page
    filing.materials.update(check_status="pass")
    page = client.get(url).content.decode()
    assert f'<span class="fold-status badge pass">{total}/{total} 项通过</span>' in page
