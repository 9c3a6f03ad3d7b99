"""Each role lands where it works after logging in, a list's title says what its heading says, and staff
are not shown the next-step hints written for a filing's principal. Screenshots go to var/screenshots/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import Role
from filings.services import transitions
from tests import factories
from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_each_role_lands_where_it_works(page: Page, live_server):
    principal = factories.principal_user(username="land-principal")
    factories.reviewer_user(username="land-reviewer")
    factories.manager_user(username="land-manager")
    factories.UserFactory(username="land-admin", role=Role.ADMIN, is_superuser=True, is_staff=True)
    transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, live_server, "land-reviewer")
    expect(page).to_have_url(
        f"{live_server.url}{reverse('filings:review-queue', kwargs={'queue': 'provider_review'})}"
    )
    expect(page.get_by_role("heading", name="审核队列", exact=True)).to_be_visible()
    shoot(page, "landing-reviewer.png")

    for username in ("land-manager", "land-admin"):
        log_in(page, live_server, username)
        expect(page).to_have_url(f"{live_server.url}{reverse('filings:dashboard')}")
        expect(page.get_by_role("heading", name="管理看板")).to_be_visible()
        shoot(page, f"landing-{username}.png")

    log_in(page, live_server, "land-principal")
    expect(page).to_have_url(f"{live_server.url}{reverse('filings:list')}")
    expect(page.get_by_role("heading", name="我的备案")).to_be_visible()
    assert page.title().startswith("我的备案")
    expect(page.locator(".filing-card dt", has_text="下一步")).to_have_count(1)


def test_staff_read_the_list_under_its_own_title_without_the_principals_hints(page: Page, live_server):
    principal = factories.principal_user(username="hint-principal")
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    factories.manager_user(username="hint-manager")
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, live_server, "hint-manager")
    page.goto(live_server.url + reverse("filings:list"))
    expect(page.get_by_role("heading", name="备案列表")).to_be_visible()
    assert page.title().startswith("备案列表")
    expect(page.locator(".filing-card")).to_have_count(1)
    expect(page.locator(".filing-card dt", has_text="下一步")).to_have_count(0)
    expect(page.get_by_text("请保持电话畅通")).to_have_count(0)
    shoot(page, "list-manager.png")

    page.goto(live_server.url + reverse("filings:detail", args=[filing.pk]))
    expect(page.get_by_text("等待服务商初审,请保持电话畅通。")).to_have_count(0)

    log_in(page, live_server, "hint-principal")
    page.goto(live_server.url + reverse("filings:detail", args=[filing.pk]))
    expect(page.get_by_text("等待服务商初审,请保持电话畅通。")).to_be_visible()
