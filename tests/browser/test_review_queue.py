"""A reviewer claims a filing from the queue in Chromium: every row's button belongs to the page's one
claim form and posts to its own filing's claim address."""

import pytest
from playwright.sync_api import Page, expect

from filings.models import Filing
from filings.services import transitions
from tests import factories
from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reviewer_claims_the_filing_of_the_row_they_click(page: Page, live_server, reviewer):
    waiting = []
    for index in range(2):
        owner = factories.principal_user(username=f"queue-browser-{index}")
        waiting.append(transitions.submit_filing(factories.ready_filing(assignee=owner), by=owner))
    chosen, other = waiting[1], waiting[0]

    log_in(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/filings/review/queues/provider_review/")
    row = page.locator("tr", has_text=chosen.subject.name)
    row.get_by_role("button", name="认领").click()
    expect(page.locator(".messages li.success")).to_contain_text("已认领该备案")

    assert Filing.objects.get(pk=chosen.pk).reviewer_id == reviewer.pk
    assert Filing.objects.get(pk=other.pk).reviewer_id is None
    page.goto(f"{live_server.url}/filings/review/queues/provider_review/")
    expect(page.locator("tr", has_text=chosen.subject.name)).to_contain_text("我的")
    expect(page.locator("tr", has_text=other.subject.name).get_by_role("button", name="认领")).to_be_visible()
