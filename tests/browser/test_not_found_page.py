"""A principal who opens another customer's filing gets the site's own 404 page, with a way home."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_another_customers_filing_is_the_styled_404(page: Page, live_server):
    factories.principal_user(username="nf-principal")
    theirs = factories.ready_filing(assignee=factories.principal_user(username="nf-other"))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "nf-principal")

    response = page.goto(live_server.url + reverse("filings:detail", args=[theirs.pk]))

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="找不到该页面")).to_be_visible()
    expect(page.locator("link[rel=stylesheet][href$='beian.css']")).to_have_count(1)
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    assert theirs.subject.name not in page.content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "not-found-390.png"), full_page=True)
    page.get_by_role("link", name="回到首页").click()
    expect(page.get_by_role("heading", name="我的备案")).to_be_visible()
