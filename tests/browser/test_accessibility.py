"""axe-core finds no serious or critical violation (nor an empty table header, a disallowed ARIA role,
an unfocusable scrolling region or a list holding non-items) on the pages principals, reviewers and
managers walk every day."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.browser.a11y import axe_violations
from tests.browser.login import log_in
from tests.browser.walk import build_walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_the_daily_pages_pass_axe(page: Page, live_server):
    walk = build_walk("axe")
    page.set_viewport_size({"width": 1280, "height": 900})
    found: list[str] = []
    for user, paths in [
        (walk.principal, walk.principal_pages()),
        (walk.reviewer, walk.reviewer_pages()),
        (walk.manager, walk.manager_pages()),
    ]:
        log_in(page, live_server, user.username)
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state()
            found += axe_violations(page)

    # A page with a message (the edit page after saving), and lists and tables on a phone, where
    # wide tables scroll sideways.
    log_in(page, live_server, walk.principal.username)
    page.goto(live_server.url + reverse("filings:edit", args=[walk.draft.pk]))
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    assert page.locator(".messages li").count() == 1
    found += axe_violations(page)
    page.set_viewport_size(PHONE)
    for path in walk.principal_pages()[:1]:
        page.goto(live_server.url + path)
        found += axe_violations(page)
    log_in(page, live_server, walk.manager.username)
    for path in walk.manager_pages():
        page.goto(live_server.url + path)
        found += axe_violations(page)
    assert found == [], "\n".join(found)
