"""A filing's page on a 390-px phone: materials, each website or app and the alerts fold to one line
each with their status; the first screen shows the stage, the countdown, the next step and the open
problems; folded, the page is at most 1,600 px tall and never scrolls sideways. Screenshot in
var/screenshots/."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from filings.jobs import alert_scan
from filings.services import transitions
from tests import factories
from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
MOST_HEIGHT = 1600


def returned_filing_with_two_websites(principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    second = factories.WebsiteFactory(filing=filing, position=2, name="星河科技客户服务")
    factories.DomainFactory(website=second)
    filing = transitions.submit_filing(filing, by=principal)
    filing = transitions.return_filing(
        filing,
        by=reviewer,
        comment="网站名称需修改",
        reasons=[
            {
                "field": "website.name",
                "reason": "网站名称与网站内容不符",
                "suggested_fix": "名称应反映网站的实际内容",
            },
            {"field": "subject.name", "reason": "名称与执照不符", "suggested_fix": "改为执照上的名称"},
        ],
    )
    alert_scan.scan_deadlines(now=timezone.now() + timedelta(days=20))
    return filing


def test_the_filing_page_on_a_phone_folds_to_its_first_screen(page: Page, live_server):
    principal = factories.principal_user(username="phone-principal")
    filing = returned_filing_with_two_websites(principal, factories.reviewer_user(username="phone-reviewer"))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, principal.username)
    page.goto(live_server.url + reverse("filings:detail", args=[filing.pk]))

    height = page.evaluate("document.documentElement.scrollHeight")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "filing-detail-folded-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert height <= MOST_HEIGHT, height

    # Folded, one line each, with its status.
    folds = page.locator("details.fold")
    names = [s.strip() for s in page.locator("details.fold > summary").all_inner_texts()]
    assert any(n.startswith("材料") for n in names), names
    assert any(n.startswith("提醒") for n in names), names
    assert sum(n.startswith("网站") for n in names) == 2, names
    for index in range(folds.count()):
        fold = folds.nth(index)
        assert fold.get_attribute("open") is None
        summary = fold.locator("summary")
        assert summary.locator(".fold-status").count() == 1, names[index]
        box = summary.bounding_box()
        assert box is not None and box["height"] < 48, (names[index], box)

    # The first screen: stage, countdown, next step and the open problems.
    for locator in [
        page.locator('.progress [aria-current="step"]'),
        page.locator(".next .countdown"),
        page.locator(".next p").first,
        page.locator("#reasons h2"),
    ]:
        box = locator.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], locator

    # A fold opens to what it holds.
    website = page.locator("details.fold", has_text="星河科技客户服务")
    expect(website.locator("dl.facts")).to_be_hidden()
    website.locator("summary").click()
    expect(website.locator("dl.facts")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "filing-detail-website-open-390.png"), full_page=True)
