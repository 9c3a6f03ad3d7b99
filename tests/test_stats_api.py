"""The statistics and reviewer-queue API: who may call it, what it answers, and its query counts."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from filings.jobs import summaries
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db

MANAGER_URLS = [
    "/api/v1/stats/counts/",
    "/api/v1/stats/durations/?period=90",
    "/api/v1/stats/flows/?weeks=4",
    "/api/v1/stats/deadlines/overdue/",
    "/api/v1/stats/deadlines/at-risk/",
    "/api/v1/stats/deadlines/provisional/",
    "/api/v1/stats/expected-publication/",
]
REVIEWER_URLS = [
    f"/api/v1/review/queues/{q}/"
    for q in ("provider_review", "sms_verification", "bureau_review", "public_security")
]


def _submitted(n):
    filings = []
    for index in range(n):
        owner = factories.principal_user(username=f"api-owner-{index}")
        filings.append(transitions.submit_filing(factories.ready_filing(assignee=owner), by=owner))
    return filings


def test_manager_endpoints(api, manager, principal, reviewer):
    _submitted(2)
    summaries.refresh_summaries(full=True)
    for url in MANAGER_URLS:
        assert api(manager).get(url).status_code == 200, url
        assert api(principal).get(url).status_code == 403, url
        assert api(reviewer).get(url).status_code == 403, url
        assert api().get(url).status_code in (401, 403), url
    counts = api(manager).get("/api/v1/stats/counts/").json()
    assert counts["totals"]["provider_review"] == 2
    expected = api(manager).get("/api/v1/stats/expected-publication/?state=provider_review").json()
    assert len(expected["results"]) == 2 and expected["results"][0]["expected_publication"]["basis"]


def test_reviewer_queue_endpoints(api, manager, principal, reviewer):
    filings = _submitted(2)
    for url in REVIEWER_URLS:
        assert api(reviewer).get(url).status_code == 200, url
        assert api(manager).get(url).status_code == 403, url
        assert api(principal).get(url).status_code == 403, url
    body = api(reviewer).get(REVIEWER_URLS[0]).json()
    assert [row["filing"]["id"] for row in body["results"]] == [f.pk for f in filings]
    assert api(reviewer).get("/api/v1/review/queues/nope/").status_code == 404


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/stats/durations/?period=7", "period"),
        ("/api/v1/stats/deadlines/overdue/?province=99", "province"),
        ("/api/v1/stats/expected-publication/?state=published", "state"),
        ("/api/v1/stats/flows/?weeks=0", "weeks"),
    ],
)
def test_bad_parameters_are_400_with_the_field(api, manager, url, field):
    response = api(manager).get(url)
    assert response.status_code == 400
    assert field in response.json()


def test_lists_page_on_from_the_next_position(api, manager, reviewer, monkeypatch):
    from filings.api import stats as stats_api

    monkeypatch.setattr(stats_api, "PAGE_SIZE", 2)
    monkeypatch.setattr("filings.reads.queues.PAGE_SIZE", 2)
    filings = _submitted(5)
    for client, url in (
        (api(manager), "/api/v1/stats/expected-publication/"),
        (api(reviewer), REVIEWER_URLS[0]),
    ):
        seen, after = [], ""
        for _ in range(3):
            body = client.get(url, {"after": after}).json()
            seen += [
                row["filing"] if isinstance(row["filing"], int) else row["filing"]["id"]
                for row in body["results"]
            ]
            after = body["next"]
            if after is None:
                break
        assert sorted(seen) == sorted(f.pk for f in filings) and len(seen) == 5, url
        assert client.get(url, {"after": "bad"}).status_code == 400
        assert "after" in client.get(url, {"after": "bad"}).json()


def test_open_filings_page_through_every_stage_once(manager, reviewer):
    from filings.reads import dashboard as dashboard_stats

    filings = _submitted(4)
    transitions.pass_review(filings[0], by=reviewer)
    transitions.pass_review(filings[1], by=reviewer)
    factories.ready_filing()  # one still in entry
    seen, after = [], None
    while True:
        page = dashboard_stats.open_filings_page(after=after, size=2)
        seen += [(f.state, f.pk) for f in page.rows]
        if page.next is None:
            break
        after = page.next
    assert len(seen) == 5 and len(set(seen)) == 5
    states = [state for state, _pk in seen]
    assert states == sorted(
        states, key=["entry", "provider_review", "sms_verification", "bureau_review"].index
    )


def test_query_counts_are_constant(api, manager, reviewer):
    _submitted(1)
    summaries.refresh_summaries(full=True)
    urls = [(manager, u) for u in MANAGER_URLS] + [(reviewer, u) for u in REVIEWER_URLS]

    def count(user, url):
        # Warm first: the summaries' per-process caches reload once after each refresh.
        assert api(user).get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert api(user).get(url).status_code == 200
        return len(captured)

    # The first request of a user object loads its permissions once; count from the second on.
    count(manager, MANAGER_URLS[0])
    count(reviewer, REVIEWER_URLS[0])
    one = {url: count(user, url) for user, url in urls}
    _submitted(29)
    summaries.refresh_summaries(full=True)
    thirty = {url: count(user, url) for user, url in urls}
    assert one == thirty


def test_principal_cannot_run_footer_check_by_api(api, principal, filing):
    assert api(principal).post(f"/api/v1/filings/{filing.pk}/footer-check/").status_code == 403


def test_stage_counts_say_when_they_were_refreshed_in_china_time(api, manager):
    assert api(manager).get("/api/v1/stats/counts/").json()["refreshed_at"] is None
    refresh = summaries.refresh_summaries(full=True)
    refreshed_at = api(manager).get("/api/v1/stats/counts/").json()["refreshed_at"]
    assert refreshed_at.endswith("+08:00")
    assert datetime.fromisoformat(refreshed_at) == refresh.refreshed_at
