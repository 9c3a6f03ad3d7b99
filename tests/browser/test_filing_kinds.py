"""What each filing type shows in Chromium: a cancel access's progress bar has only its three
stages; a filing waiting only for its face check asks for that; an app filing speaks of its app."""

import pytest
from playwright.sync_api import Page, expect

from filings.models import Province, SmsVerifier
from filings.services import cancellations, transitions
from tests import factories
from tests.browser.login import log_in
from tests.browser.test_principal_flow import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _principal():
    return factories.principal_user(username="li-yun", display_name="李云")


def test_a_finished_cancel_access_shows_only_its_own_stages(page: Page, live_server, reviewer):
    principal = _principal()
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    filing = factories.cancel_website(
        published, principal, scope="access", next_provider="杭州云接入有限公司"
    )
    filing = transitions.submit_filing(filing, by=principal)
    cancellations.finish_access_cancellation(filing, by=reviewer)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "li-yun")

    page.goto(f"{live_server.url}/filings/{filing.pk}/")

    steps = page.locator("ol.progress li.step")
    expect(steps).to_have_count(3)
    expect(steps.locator(".step-label")).to_have_text(["信息填报", "服务商初审", "备案公示"])
    expect(page.locator("ol.progress")).not_to_contain_text("短信核验")
    expect(page.locator("ol.progress")).not_to_contain_text("管局审核")


def test_once_the_sms_is_done_the_page_asks_for_the_face_check(page: Page, live_server, reviewer):
    Province.objects.filter(code="44").update(face_check_hours=24)
    principal = _principal()
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "li-yun")

    page.goto(f"{live_server.url}/filings/{filing.pk}/")

    next_step = page.locator("section", has=page.locator("#next-h"))
    expect(next_step).to_contain_text("真实性核验")
    expect(next_step).not_to_contain_text("24小时内完成工信部短信核验")
    page.goto(f"{live_server.url}/alerts/")
    expect(page.get_by_role("link", name="去完成短信核验 →")).to_have_count(0)
    expect(page.get_by_role("link", name="去完成真实性核验 →").first).to_be_visible()


def test_an_app_filing_speaks_of_its_app(page: Page, live_server, reviewer):
    principal = _principal()
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    filing = factories.publish(
        factories.ready_app_filing(published, kind="mini_program", name="星河记账小程序"),
        reviewer=reviewer,
        icp_number=published.icp_number,
    )
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "li-yun")

    expect(page.get_by_role("link", name=f"{published.subject.name} · 星河记账小程序")).to_be_visible()
    page.goto(f"{live_server.url}/filings/{filing.pk}/")
    page.locator("details.app summary").first.click()  # each app folds to one line (issue #28)
    expect(page.get_by_role("link", name="注销小程序")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("页脚")
    expect(page.locator("main")).not_to_contain_text("网站开通日期")
