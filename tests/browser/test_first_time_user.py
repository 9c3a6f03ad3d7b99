"""What a first-time user sees, in Chromium at desktop (1366 px) and phone (390 px) widths: the manager's
dashboard, the filing page after a round of work, and the messages that used to contradict each other.
Screenshots go to var/screenshots/ (gitignored), named issue15-<what>-<width>.png."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from filings.jobs import summaries
from filings.models import Deadline, SmsVerifier
from filings.services import materials, transitions
from tests import factories
from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = [("1366", DESKTOP), ("390", PHONE)]


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def published(principal, reviewer, province_code: str):
    filing = factories.ready_filing(assignee=principal, province_code=province_code)
    filing = transitions.pass_review(transitions.submit_filing(filing, by=principal), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    abbreviation = filing.province.icp_abbreviation
    return transitions.approve_filing(
        filing, by=reviewer, icp_number=f"{abbreviation}ICP备20260{filing.pk:05d}号"
    )


WIDEST = """() => Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
# The most lines the text of a province, stage or due-time cell takes (1 unless it wraps).
MOST_LINES_IN_SHORT_CELLS = """(table) => Math.max(...Array.from(table.querySelectorAll("tbody td.nowrap")).map(td => {
  const range = document.createRange();
  range.selectNodeContents(td);
  return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.bottom))).size;
}))"""


def test_dashboard_columns_add_up_and_lists_stay_readable(page: Page, live_server):
    reviewer = factories.reviewer_user(username="reviewer-d")
    factories.manager_user(username="manager-d")
    owners = [factories.principal_user(username=f"owner-{n}") for n in range(5)]
    for owner, code in zip(owners[:3], ["44", "33", "11"], strict=True):
        published(owner, reviewer, code)
    # Two filings in pre-review, one of them overdue, with long subject names.
    for owner, code in zip(owners[3:], ["44", "11"], strict=True):
        filing = transitions.submit_filing(
            factories.ready_filing(assignee=owner, province_code=code), by=owner
        )
        filing.subject.name = "广州市天河区云帆星河信息技术与数字营销服务有限公司"
        filing.subject.save(update_fields=["name"])
    Deadline.objects.filter(kind="prereview_overdue").update(due_at=timezone.now() - timedelta(hours=3))
    summaries.refresh_summaries(full=True)

    for width, size in SIZES:
        page.set_viewport_size(size)
        log_in(page, live_server, "manager-d")
        page.goto(f"{live_server.url}/filings/dashboard/")
        counts = page.locator("table.stage-counts")
        expect(counts).to_be_visible()
        # 待公安备案: every province's cell is filled and they add up to the total (3).
        column = counts.locator("td.awaiting-psb")
        total = int(counts.locator("tr.total td.awaiting-psb").inner_text())
        cells = [int(t) for t in column.all_inner_texts()[1:]]
        assert total == 3 and sum(cells) == total
        overdue = page.locator("section.deadline-list").first
        expect(
            overdue.get_by_text("广州市天河区云帆星河信息技术与数字营销服务有限公司").first
        ).to_be_visible()
        if width == "1366":
            assert page.evaluate(MOST_LINES_IN_SHORT_CELLS, overdue.locator("table").element_handle()) == 1
        assert page.evaluate(NO_OVERFLOW), (width, page.evaluate(WIDEST))
        shoot(page, f"issue15-dashboard-{width}.png")
        page.context.clear_cookies()


def test_the_filing_page_shows_what_matters_now_and_folds_the_history(page: Page, live_server):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import scan_samples

    reviewer = factories.reviewer_user(username="reviewer-f")
    owner = factories.principal_user(username="owner-f")
    filing = factories.ready_filing(assignee=owner)
    # A round of work: failed uploads, a submission, a return with reasons, more uploads, edits.
    for attempt in range(6):
        materials.upload_material(
            filing,
            by=owner,
            kind="business_licence",
            upload=SimpleUploadedFile(f"low-{attempt}.jpg", scan_samples.licence_scan(dpi=150), "image/jpeg"),
            person_id=None,
            website_id=None,
        )
    materials.upload_material(
        filing,
        by=owner,
        kind="business_licence",
        upload=SimpleUploadedFile("good.jpg", scan_samples.licence_scan(dpi=300), "image/jpeg"),
        person_id=None,
        website_id=None,
    )
    filing = transitions.submit_filing(filing, by=owner)
    reasons = [{"field": "website.name", "reason": "网站名称与网站内容不符", "suggested_fix": "改为产品介绍"}]
    filing = transitions.return_filing(filing, by=reviewer, reasons=reasons, comment="请修改网站名称")

    for width, size in SIZES:
        page.set_viewport_size(size)
        log_in(page, live_server, "owner-f")
        page.goto(f"{live_server.url}/filings/{filing.pk}/")
        # What matters now: the next step, the latest reasons, current materials, open deadlines.
        expect(page.locator("#next-h")).to_be_visible()
        expect(page.locator("#reasons")).to_contain_text("网站 · 网站名称")
        licence = page.locator("li.slot", has_text="营业执照").first
        expect(licence).to_contain_text("第8版")  # ready_filing uploaded the first
        expect(licence).to_contain_text("另有 7 个早先版本")
        expect(licence.locator(".check-results")).to_have_count(0)  # the current version passed
        expect(page.locator("#deadlines tbody tr")).to_have_count(1)  # stale entry only
        # The rest is folded: the history's entries are not shown until asked for.
        history = page.locator("details#history")
        expect(history).not_to_have_attribute("open", "")
        expect(history.locator("ol.timeline")).not_to_be_visible()
        folded_height = page.evaluate("document.documentElement.scrollHeight")
        shoot(page, f"issue15-filing-{width}.png")
        if width == "390":
            assert folded_height < 3600, folded_height

        history.locator("summary").click()
        expect(history.locator("ol.timeline > li")).to_have_count(10)  # one page
        expect(history).to_contain_text("初审退回")
        shoot(page, f"issue15-filing-history-{width}.png")
        history.get_by_role("link", name="较早").click()
        page.wait_for_load_state()
        expect(page.locator("details#history")).to_have_attribute("open", "")
        expect(page.locator("details#history")).to_contain_text("第1版")  # the oldest versions
        expect(page.locator("details#history")).to_contain_text("300 dpi")  # with why they failed
        assert page.evaluate(NO_OVERFLOW), (width, page.evaluate(WIDEST))
        page.context.clear_cookies()


def test_messages_agree_with_the_filing(page: Page, live_server):
    reviewer = factories.reviewer_user(username="reviewer-m")
    owner = factories.principal_user(username="owner-m")
    filing = factories.ready_filing(assignee=owner, province_code="33")
    filing = transitions.pass_review(transitions.submit_filing(filing, by=owner), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    draft_owner = factories.principal_user(username="owner-n")
    draft = factories.ready_filing(assignee=draft_owner, province_code="33")

    for width, size in SIZES:
        page.set_viewport_size(size)
        # A reviewer types a short number on a Zhejiang filing: one message, a Zhejiang example.
        log_in(page, live_server, "reviewer-m")
        page.goto(f"{live_server.url}/filings/review/{filing.pk}/")
        page.get_by_label("主体备案号").fill("浙ICP备123号")
        page.get_by_role("button", name="记录通过").click()
        error = page.locator(".card.error")
        expect(error).to_contain_text("浙ICP备2026012345号")
        expect(error).not_to_contain_text("粤ICP")
        expect(error).not_to_contain_text("icp_number")
        assert error.inner_text().count("主体备案号格式应为") == 1
        error.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"issue15-icp-error-{width}.png"))
        page.context.clear_cookies()

        # A principal's new draft: 尚未提交, and Zhejiang's rules each said once.
        log_in(page, live_server, "owner-n")
        page.goto(f"{live_server.url}/filings/{draft.pk}/")
        expect(page.locator(".page-head")).to_contain_text("尚未提交")
        expect(page.locator(".page-head")).not_to_contain_text("第 0 次提交")
        shoot(page, f"issue15-new-draft-{width}.png")
        page.goto(f"{live_server.url}/filings/new/?filing_type=first&province=33")
        rules = page.locator("aside.rules")
        expect(rules).to_contain_text("管局审核时限为 20 个工作日")
        items = rules.locator("li").all_inner_texts()
        assert len(items) == len(set(items)) and sum("居住证" in item for item in items) == 1, items
        rules.screenshot(path=str(SCREENSHOTS / f"issue15-zhejiang-rules-{width}.png"))
        page.context.clear_cookies()


def test_a_reviewer_finds_a_field_by_its_label(page: Page, live_server):
    factories.reviewer_user(username="reviewer-r")
    owner = factories.principal_user(username="owner-r")
    filing = transitions.submit_filing(factories.ready_filing(assignee=owner), by=owner)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "reviewer-r")
    page.goto(f"{live_server.url}/filings/review/{filing.pk}/")
    form = page.locator("form.reasons-form").first
    expect(form).not_to_contain_text("website.name")

    form.get_by_label("搜索原因或字段").fill("注册人")

    # Only the domain's registrant fields and the reasons about them are left to pick from.
    shown = form.locator("select[data-field-select] option:not([hidden])").all_inner_texts()
    assert shown and all("注册人" in text or text == "不指定字段" for text in shown), shown
    assert "域名 · 注册人名称" in shown
    reasons = form.locator("[data-reason-option]:not([hidden])").all_inner_texts()
    assert reasons and all("注册人" in text for text in reasons), reasons
    form.locator("select[data-field-select]").select_option(label="域名 · 注册人名称")
    form.get_by_label("其他原因").fill("注册人与主体名称不一致")
    form.screenshot(path=str(SCREENSHOTS / "issue15-reason-search-1366.png"))
    form.get_by_role("button", name="退回修改").click()
    expect(page.locator(".messages li.success")).to_contain_text("已退回服务负责人修改")
    event = filing.events.get(transition="return_to_entry")
    assert event.reasons[0]["field"] == "domain.registrant_name"


def test_a_refused_page_has_a_way_back(page: Page, live_server):
    factories.principal_user(username="owner-x")
    for width, size in SIZES:
        page.set_viewport_size(size)
        log_in(page, live_server, "owner-x")
        response = page.goto(f"{live_server.url}/filings/review/")
        assert response.status == 403
        expect(page.get_by_role("heading", name="没有权限访问此页面")).to_be_visible()
        expect(page.get_by_role("link", name="回到首页")).to_be_visible()
        assert page.evaluate("document.querySelector('link[rel=icon]').href").endswith("/static/favicon.svg")
        shoot(page, f"issue15-403-{width}.png")
        page.context.clear_cookies()
