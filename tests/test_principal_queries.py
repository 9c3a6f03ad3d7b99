"""Every page a principal uses answers with a number of database queries that does not grow with the
number of filings (1 against 20, in mixed stages)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db

# A generous ceiling: what matters is that the count stays the same as filings are added.
MAX_QUERIES = 40


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches (the working-day calendar)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def add_filings(principal, reviewer, n: int) -> None:
    """Add filings in several stages, with returns, deadlines and history rows."""
    for index in range(n):
        filing = factories.ready_filing(assignee=principal)
        if index % 3 == 1:
            filing = transitions.submit_filing(filing, by=principal)
        elif index % 3 == 2:
            filing = transitions.submit_filing(filing, by=principal)
            transitions.return_filing(
                filing, by=reviewer, reasons=[{"field": "website.name", "reason": "名称不符"}]
            )


PAGES = {
    "list": lambda f: reverse("filings:list"),
    "list-filtered": lambda f: reverse("filings:list") + "?state=entry&domain=.cn&q=星河&province=44",
    "detail": lambda f: reverse("filings:detail", args=[f.pk]),
    "edit": lambda f: reverse("filings:edit", args=[f.pk]),
    "materials": lambda f: reverse("filings:materials", args=[f.pk]),
    "checklist": lambda f: reverse("filings:checklist", args=[f.pk]),
    "sms": lambda f: reverse("filings:sms", args=[f.pk]),
    "create-start": lambda f: reverse("filings:create"),
    "create-form": lambda f: reverse("filings:create") + "?filing_type=first&province=44",
}


@pytest.mark.parametrize("page_name", PAGES)
def test_page_queries_do_not_grow_with_filings(page_name, principal, reviewer):
    filing = factories.ready_filing(assignee=principal)
    client = Client()
    client.force_login(principal)
    url = PAGES[page_name](filing)
    one = count_queries(client, url)
    add_filings(principal, reviewer, 19)
    twenty = count_queries(client, url)
    assert twenty == one, f"{page_name}: {one} queries with 1 filing, {twenty} with 20"
    assert one <= MAX_QUERIES


def test_sms_page_queries_do_not_grow_with_filings(principal, reviewer):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    filing = transitions.pass_review(filing, by=reviewer)
    client = Client()
    client.force_login(principal)
    url = reverse("filings:sms", args=[filing.pk])
    one = count_queries(client, url)
    add_filings(principal, reviewer, 19)
    assert count_queries(client, url) == one


def test_detail_queries_do_not_grow_with_websites_or_versions(principal):
    filing = factories.ready_filing(assignee=principal)
    client = Client()
    client.force_login(principal)
    url = reverse("filings:detail", args=[filing.pk])
    one = count_queries(client, url)
    for position in range(2, 6):
        website = factories.WebsiteFactory(filing=filing, position=position)
        factories.DomainFactory(website=website)
        factories.DomainFactory(website=website)
    for _ in range(5):
        factories.passing_material(filing, "business_licence")
    assert count_queries(client, url) == one
