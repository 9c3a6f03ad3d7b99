"""Filing an app in Chromium: a principal with a published subject starts an APP filing, is refused a
fingerprint of the wrong length on its field, saves, submits; a reviewer approves it with the
suggested -2A number, which the principal then sees."""

import pytest
from playwright.sync_api import Page, expect

from filings.kinds.states import State
from filings.models import Filing, SmsVerifier
from filings.services import transitions
from tests import factories
from tests.browser.login import log_in
from tests.browser.test_principal_flow import DESKTOP, assert_every_control_labelled, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_principal_files_an_app_and_a_reviewer_approves_it(page: Page, live_server, reviewer):
    principal = factories.principal_user(username="li-yun", display_name="李云")
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "li-yun")
    expect(page.get_by_role("heading", name="我的备案")).to_be_visible()

    # Start: the type, the province and the published subject.
    page.get_by_role("link", name="新建备案").first.click()
    page.get_by_label("备案类型").select_option("new_app")
    page.get_by_label("备案省份").select_option("44")
    # The picker offers the principal's recently published subjects; a search finds any other.
    page.get_by_label("查找已备案主体").fill(published.subject.name[:4])
    page.get_by_role("button", name="查找主体").click()
    page.locator(f'input[name="subject"][value="{published.subject_id}"]').check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="新建APP备案")).to_be_visible()
    # The subject's principal comes from its published filing.
    expect(page.locator("#id_subject_principal-name")).to_have_value(published.subject_principal.name)

    page.locator("#id_app-kind").select_option("app")
    page.locator("#id_app-name").fill("星河智能记账助手")
    page.locator("#id_app-description").fill("个人记账与账单提醒")
    page.locator("#id_app-access_provider").fill("深圳云计算有限公司")
    page.locator("#id_app-backend_addresses").fill("api.xinghe-ledger.cn\n203.0.113.20")
    page.locator("#id_platform-android-package_name").fill("com.xinghe.ledger")
    page.locator("#id_platform-android-public_key").fill("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A")
    page.locator("#id_platform-android-fingerprint").fill("a1:b2:c3:d4:e5")
    assert_every_control_labelled(page)
    page.get_by_role("button", name="保存草稿").click()
    # Refused on its field, with what was typed kept.
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator(".field.has-error")).to_contain_text("32位(MD5)或40位(SHA-1)")
    expect(page.locator("#id_app-name")).to_have_value("星河智能记账助手")
    page.locator("#id_platform-android-fingerprint").fill(factories.MD5.upper())
    page.locator("#id_platform-ios-package_name").fill("com.xinghe-tech.ledger")
    page.locator("#id_platform-ios-public_key").fill("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8B")
    page.locator("#id_platform-ios-fingerprint").fill(factories.IOS_MD5)
    shoot(page, "app-form.png")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", name="材料", exact=True)).to_be_visible()
    filing = Filing.objects.get(filing_type=Filing.Type.NEW_APP)
    assert filing.apps.get().platforms.count() == 2

    # Materials are covered by the principal round trip; here they are stored directly.
    factories.add_required_materials(filing)
    page.goto(f"{live_server.url}/filings/{filing.pk}/")
    expect(page.locator("details.app")).to_contain_text("com.xinghe.ledger")
    expect(page.locator("details.app")).to_contain_text(factories.MD5)
    page.get_by_role("link", name="提交前检查").first.click()
    expect(page.locator(".summary.ok")).to_be_visible()
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages li.success")).to_contain_text("已提交服务商初审")

    filing = transitions.pass_review(Filing.objects.get(pk=filing.pk), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    assert filing.state == State.BUREAU_REVIEW

    # The reviewer finds it in the bureau queue and records the approval with the suggested number.
    log_in(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/filings/review/queues/bureau_review/")
    row = page.locator("tr", has_text=published.subject.name)
    expect(row).to_contain_text("APP备案")
    row.get_by_role("link", name=published.subject.name).click()
    expect(page.locator(f'input[name="app_{filing.apps.get().pk}"]')).to_have_value(
        f"{published.icp_number}-2A"
    )
    page.get_by_role("button", name="记录通过").click()
    expect(page.locator(".messages li.success")).to_contain_text("已记录管局审核通过")

    log_in(page, live_server, "li-yun")
    page.goto(f"{live_server.url}/filings/{filing.pk}/")
    expect(page.locator("details.app summary")).to_contain_text(f"{published.icp_number}-2A")
    shoot(page, "app-published.png")
