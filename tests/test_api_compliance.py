"""API of the compliance view (issue #25): open rectifications in keyset pages, and a filing's checks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from filings.models import Deadline, SiteCheck
from filings.services import rectifications
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(principal, reviewer):
    now = timezone.now()
    filings = [
        factories.publish(factories.ready_filing(assignee=principal), reviewer=reviewer) for _ in range(2)
    ]
    rectifications.open_rectification(filings[0], Deadline.Kind.SITE_MOVED, now=now - timedelta(days=1))
    rectifications.open_rectification(filings[1], Deadline.Kind.FOOTER_FIX, now=now - timedelta(days=2))
    return filings


def test_rectifications_page_oldest_first(api, two, manager, reviewer, principal):
    first = api(manager).get("/api/v1/compliance/rectifications/", {"province": "44"}).json()
    assert [r["filing"] for r in first["results"]] == [two[1].pk, two[0].pk] and first["next"] is None
    only = api(reviewer).get("/api/v1/compliance/rectifications/", {"kind": "site_moved"}).json()
    assert [r["kind"] for r in only["results"]] == ["site_moved"]
    assert api(principal).get("/api/v1/compliance/rectifications/").status_code == 403
    assert api(manager).get("/api/v1/compliance/rectifications/", {"province": "99"}).status_code == 400
    assert api(manager).get("/api/v1/compliance/rectifications/", {"after": "x"}).status_code == 400


def test_filing_compliance(api, two, principal):
    filing = two[0]
    SiteCheck.objects.create(
        filing=filing, website=filing.websites.get(), url="http://x.cn/", resolves=True, answered=True,
        in_provider_ranges=False, failures=["moved"], problems=["不在地址段内"],
    )  # fmt: skip
    data = api(principal).get(f"/api/v1/filings/{filing.pk}/compliance/").json()
    assert data["site_checks"][0]["failures"] == ["moved"] and not data["site_checks"][0]["passed"]
    assert [r["kind"] for r in data["rectifications"]] == ["site_moved"]
