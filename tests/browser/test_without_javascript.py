"""The entry form in Chromium with JavaScript switched off: the "add" buttons still add rows (the
server answers with one more row and keeps what was typed), and Enter in a field saves."""

import pytest
from playwright.sync_api import Browser, expect

from filings.models import Filing
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_entry_form_adds_rows_and_saves_without_javascript(browser: Browser, live_server):
    principal = factories.principal_user(username="li-na", display_name="李娜")
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill("li-na")
        page.get_by_label("密码").fill("pass-1234")
        page.get_by_role("button", name="登录").click()
        page.goto(f"{live_server.url}/filings/new/?filing_type=first&province=44")
        page.locator("#id_subject-name").fill("广州市青禾信息技术有限公司")
        page.locator("#id_websites-0-domains-0-name").fill("qinghe-demo.cn")

        page.get_by_role("button", name="添加网站").click()
        expect(page.locator("#id_websites-1-name")).to_be_visible()
        expect(page.locator("#id_subject-name")).to_have_value("广州市青禾信息技术有限公司")
        expect(page.locator("#id_websites-0-domains-0-name")).to_have_value("qinghe-demo.cn")
        page.locator("#websites-list fieldset.website").nth(1).get_by_role("button", name="添加域名").click()
        expect(page.locator("#id_websites-1-domains-1-name")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_count(0)
        assert not Filing.objects.filter(assignee=principal).exists()

        # Enter in a field is "save" (the form is still incomplete, so it says what is missing).
        page.locator("#id_subject-name").press("Enter")
        expect(page.get_by_text("填写的信息有误,请检查标出的字段。")).to_be_visible()
        expect(page.locator("#id_websites-1-domains-1-name")).to_be_visible()
    finally:
        context.close()
