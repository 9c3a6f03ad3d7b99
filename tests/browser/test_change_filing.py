"""A change (变更备案) in Chromium: from a published filing, edit the postal address, see the diff
against the published data on the detail and checklist pages, submit; the public data stay unchanged."""

import pytest
from playwright.sync_api import Page, expect

from filings.kinds.states import State
from filings.models import Filing
from tests import factories
from tests.browser.test_app_filing import log_in
from tests.browser.test_principal_flow import DESKTOP, assert_every_control_labelled, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_principal_changes_a_published_filing_and_sees_the_diff(page: Page, live_server, reviewer):
    principal = factories.principal_user(username="wang-fang", display_name="王芳")
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    old_address = published.subject.postal_address
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "wang-fang")

    page.goto(f"{live_server.url}/filings/{published.pk}/")
    page.get_by_role("button", name="办理变更备案").click()
    expect(page.locator(".messages li.success")).to_contain_text("已开始变更备案")
    expect(page.locator("#id_subject-postal_address")).to_have_value(old_address)
    page.locator("#id_subject-postal_address").fill("广东省深圳市福田区深南大道2000号")
    page.locator("#id_websites-0-server_provider").fill("上海云接入有限公司")
    page.get_by_role("button", name="保存草稿").click()

    # The checklist shows what changed, and only the changed parts' rules and materials.
    expect(page.locator(".change-diff")).to_be_visible()
    diff = page.locator(".change-diff tbody tr")
    expect(diff).to_have_count(2)
    expect(diff.nth(0)).to_contain_text(old_address)
    expect(diff.nth(0)).to_contain_text("广东省深圳市福田区深南大道2000号")
    expect(diff.nth(1)).to_contain_text("上海云接入有限公司")
    expect(page.locator(".check-item.fail").filter(has_text="变更后的主体证件")).to_be_visible()
    # The principal of the changed parts passes the face check again before submission.
    expect(page.locator(".check-item.fail").filter(has_text="真实性核验")).to_be_visible()
    shoot(page, "change-checklist.png")
    assert_every_control_labelled(page)

    change = Filing.objects.get(filing_type=Filing.Type.CHANGE)
    factories.add_required_materials(change)
    page.reload()
    expect(page.locator(".summary.ok")).to_be_visible()
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages li.success")).to_contain_text("已提交服务商初审")
    expect(page.locator(".change-diff")).to_contain_text("深南大道2000号")
    shoot(page, "change-detail.png")

    # The published filing still shows the old address while the change is under review.
    page.goto(f"{live_server.url}/filings/{published.pk}/")
    page.locator("details#subject summary").click()
    expect(page.get_by_text(old_address).first).to_be_visible()
    change.refresh_from_db()
    assert change.state == State.PROVIDER_REVIEW
