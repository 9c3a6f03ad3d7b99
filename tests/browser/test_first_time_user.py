"""What a first-time user sees, in Chromium at desktop (1366 px) and phone (390 px) widths: the manager's
dashboard, the filing page after a round of work, and the messages that used to contradict each other.
Screenshots go to var/screenshots/ (gitignored), named issue15-<what>-<width>.png."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from filings import services, stats
from filings.models import Deadline, SmsVerifier
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = [("1366", DESKTOP), ("390", PHONE)]


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def published(principal, reviewer, province_code: str):
    filing = factories.ready_filing(assignee=principal, province_code=province_code)
    filing = services.pass_review(services.submit_filing(filing, by=principal), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing, stage_visit=filing.stage_visit):
        filing = services.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    abbreviation = filing.province.icp_abbreviation
    return services.approve_filing(
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
        filing = services.submit_filing(factories.ready_filing(assignee=owner, province_code=code), by=owner)
        filing.subject.name = "广州市天河区云帆星河信息技术与数字营销服务有限公司"
        filing.subject.save(update_fields=["name"])
    Deadline.objects.filter(kind="prereview_overdue").update(due_at=timezone.now() - timedelta(hours=3))
    stats.refresh_summaries(full=True)

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
