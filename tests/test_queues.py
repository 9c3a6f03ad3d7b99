"""The reviewer queues: order, filters, pages, counts and what the page shows."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from filings.models import Deadline
from filings.reads import queues
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(reviewer):
    """Seven filings in pre-review over two provinces, three claimed by the reviewer, one overdue."""
    filings = []
    for index, code in enumerate(["44", "11", "44", "11", "44", "44", "11"]):
        owner = factories.principal_user(username=f"queue-owner-{index}")
        filing = transitions.submit_filing(
            factories.ready_filing(assignee=owner, province_code=code), by=owner
        )
        if index % 2:
            filing = transitions.claim_filing(filing, by=reviewer)
        filings.append(filing)
    # Spread the due times (and make two equal) so that the order and its tie-break both show.
    base = timezone.now()
    offsets = [5, -3, 1, 1, 8, 2, 6]
    for filing, hours in zip(filings, offsets, strict=True):
        Deadline.objects.filter(filing=filing, closed_at__isnull=True).update(
            due_at=base + timedelta(hours=hours)
        )
    return filings


# Fixture order by due time (the two equal ones in the order they were queued): indexes 1, 2, 3, 5, 0, 6, 4.
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [1, 2, 3, 5, 0, 6, 4]),
        ({"mine": True}, [1, 3, 5]),
        ({"province_code": "11"}, [1, 3, 6]),
        ({"mine": True, "province_code": "44"}, [5]),
        ({"province_code": "99"}, []),
    ],
    ids=["all", "mine", "province", "mine+province", "no-match"],
)
def test_queue_page_filters_and_orders_by_due_time(queued, reviewer, filters, expected):
    page = queues.queue_page(queues.QUEUES["provider_review"], user=reviewer, **filters)
    assert [row.filing_id for row in page.rows] == [queued[i].pk for i in expected]
    assert page.next is None


def test_queue_page_reads_its_rows_in_one_query(queued, reviewer, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = queues.queue_page(queues.QUEUES["provider_review"], user=reviewer)
        # The province is the page's own list's (an id here); the subject and reviewer come joined.
        assert [(row.filing.subject.name, row.filing.province_id) for row in page.rows]
        assert {row.filing.reviewer.username for row in page.rows if row.filing.reviewer_id} == {
            reviewer.username
        }


def test_queue_pages_follow_on(queued, reviewer, monkeypatch):
    monkeypatch.setattr(queues, "PAGE_SIZE", 3)
    queue = queues.QUEUES["provider_review"]
    pages, after = [], None
    for _ in range(3):
        pages.append(queues.queue_page(queue, after=after))
        after = pages[-1].next
    assert [p.next is not None for p in pages] == [True, True, False]
    assert [row.filing_id for p in pages for row in p.rows] == [queued[i].pk for i in [1, 2, 3, 5, 0, 6, 4]]


def test_overdue_count_counts_passed_open_deadlines(queued):
    queue = queues.QUEUES["provider_review"]
    assert queues.overdue_count(queue) == 1
    assert queues.overdue_count(queue, now=timezone.now() + timedelta(hours=3)) == 4
    Deadline.objects.filter(kind=queue.deadline_kind, due_at__lt=timezone.now()).update(
        closed_at=timezone.now()
    )
    assert queues.overdue_count(queue) == 0


def _tab_count(client, url) -> int:
    html = client.get(url).content.decode()
    return int(re.search(r'href="[^"]*/provider_review/"[^>]*>[^<]*\((\d+)\)</a>', html).group(1))


def test_queue_tab_counts_are_the_rows_the_tab_lists_now(client, reviewer):
    from django.urls import reverse

    client.force_login(reviewer)
    url = reverse("filings:review-queue", kwargs={"queue": "provider_review"})
    owner = factories.principal_user(username="tab-owner-0")
    transitions.submit_filing(factories.ready_filing(assignee=owner), by=owner)
    assert _tab_count(client, url) == 1
    owner = factories.principal_user(username="tab-owner-1")
    transitions.submit_filing(factories.ready_filing(assignee=owner), by=owner)
    # No statistics refresh in between: the tab counts what it lists.
    assert _tab_count(client, url) == 2


def test_queue_page_shows_due_times_in_china_time(client, reviewer, queued):
    from django.urls import reverse

    client.force_login(reviewer)
    queue = queues.QUEUES["provider_review"]
    deadline = Deadline.objects.get(filing=queued[0], kind=queue.deadline_kind, closed_at__isnull=True)
    body = client.get(reverse("filings:review-queue", kwargs={"queue": "provider_review"})).content.decode()
    shanghai = deadline.due_at.astimezone(timezone.get_fixed_timezone(8 * 60))
    assert shanghai.strftime("%Y-%m-%d %H:%M") in body


def test_the_queue_head_shows_each_requests_filters(client, reviewer):
    client.force_login(reviewer)
    url = "/filings/review/queues/provider_review/"
    filtered = client.get(url, {"province": "44", "mine": "1"}).content.decode()
    assert '<option value="44" selected>' in filtered
    assert 'name="mine" value="1" checked' in filtered
    assert "?province=44&amp;mine=1&amp;format=csv" in filtered
    plain = client.get(url).content.decode()
    assert " selected>" not in plain.split('name="province"')[1].split("</select>")[0]
    assert 'name="mine" value="1" checked' not in plain and 'href="?format=csv"' in plain
    other = client.get("/filings/review/queues/bureau_review/").content.decode()
    assert re.search(r'href="[^"]*/bureau_review/" aria-current="page"', other)
    assert not re.search(r'href="[^"]*/provider_review/" aria-current="page"', other)


def test_every_queue_row_has_a_state_and_names_the_date_it_shows(client, reviewer, queued):
    from django.urls import reverse

    Deadline.objects.filter(filing=queued[4], closed_at__isnull=True).update(
        due_at=timezone.now() + timedelta(days=3)
    )
    client.force_login(reviewer)
    body = client.get(reverse("filings:review-queue", kwargs={"queue": "provider_review"})).content.decode()

    rows = re.findall(r"<tr class=\"(\w*)\">(.*?)</tr>", body, flags=re.S)
    assert len(rows) == len(queued)
    marks = {
        urgency: re.search(r'<span class="mark \w*">([^<]+)</span>', html).group(1) for urgency, html in rows
    }
    assert marks == {"overdue": "已超期", "at_risk": "即将到期", "": "按期"}
    assert all("初审超期(2个工作日)" in html for _urgency, html in rows)


def test_the_principal_names_the_date_the_same_way(client, queued):
    from django.urls import reverse

    filing = queued[0]
    client.force_login(filing.assignee)
    body = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    # The principal is shown the nearest open deadline, named by the same words as the queue's
    # (the fixture gives the filing's open deadlines one due time, so either may be the nearest).
    shown = [
        f"{d.label} · 截止 {timezone.localtime(d.due_at):%Y-%m-%d %H:%M}"
        for d in Deadline.objects.filter(filing=filing, closed_at__isnull=True)
    ]
    assert any(text in body for text in shown), shown


def test_the_queue_page_reads_a_fixed_number_of_queries_whatever_its_rows(client, reviewer, queued):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    url = "/filings/review/queues/provider_review/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"province": "11"}).status_code == 200
    with CaptureQueriesContext(connection) as all_rows:
        body = client.get(url).content.decode()
    assert body.count("<tr class=") == len(queued)
    # The user, the second factor's device, the permissions (one query), the rows, the provinces, the
    # medians, the tab counts with the overdue count (one statement) and the unread alerts: none of
    # them once per row. (The session is read from Redis or, when its copy
    # there is missing, from the database: that depends on the cache, not on the page.)
    page_reads = [
        [q["sql"] for q in captured.captured_queries if 'FROM "django_session"' not in q["sql"]]
        for captured in (few, all_rows)
    ]
    # SQLite counts the tabs and the overdue filings in two statements (reads/queues.queue_sizes).
    most = 8 if connection.vendor == "postgresql" else 9
    assert len(page_reads[0]) == len(page_reads[1]) <= most, page_reads


def test_the_queue_page_translates_each_word_once_whatever_its_rows(client, reviewer, queued, monkeypatch):
    from django.utils import translation

    calls = []
    real = translation._trans.gettext
    monkeypatch.setattr(translation._trans, "gettext", lambda message: calls.append(message) or real(message))
    client.force_login(reviewer)
    url = "/filings/review/queues/provider_review/"
    client.get(url, {"province": "44"})  # the first request of a test compiles the templates
    counts = []
    for province in ("44", "11", ""):
        calls.clear()
        body = client.get(url, {"province": province} if province else {}).content.decode()
        counts.append((body.count("<tr class="), len(calls)))
    assert [rows for rows, _ in counts] == [4, 3, 7]
    # Each word is translated once per page: seven rows over two provinces add the second province's
    # words to what four rows of one translate (translated per row, each row added eight).
    assert counts[2][1] - counts[0][1] < 2 * (7 - 4), counts
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(url).content.decode()
    assert "Guangdong" in body and ">Claim</button>" in body and "认领" not in body


def test_each_rows_claim_button_claims_its_own_filing(client, reviewer, queued):
    client.force_login(reviewer)
    body = client.get("/filings/review/queues/provider_review/").content.decode()
    unclaimed = queued[0]
    button = re.search(
        rf'<button type="submit" form="claim" formaction="([^"]*/{unclaimed.pk}/claim/)"', body
    )
    assert button and '<form id="claim" method="post"' in body
    client.post(button.group(1))
    unclaimed.refresh_from_db()
    assert unclaimed.reviewer_id == reviewer.pk


def test_a_long_backlog_is_shown_as_more_than_the_cap_and_a_short_one_exactly(
    client, reviewer, queued, monkeypatch
):
    from filings.reads import keyset

    queue = queues.QUEUES["provider_review"]
    later = timezone.now() + timedelta(hours=3)
    assert queues.overdue_count(queue, now=later, cap=2) == 3  # counted to cap + 1, no further
    assert queues.overdue_count(queue, now=later, cap=10) == 4
    client.force_login(reviewer)
    url = "/filings/review/queues/provider_review/"
    assert "已超期 1 件" in client.get(url).content.decode()
    Deadline.objects.filter(filing__in=queued[:3], closed_at__isnull=True).update(due_at=timezone.now())
    monkeypatch.setattr(keyset, "COUNT_CAP", 2)
    assert "已超期超过 2 件" in client.get(url).content.decode()


@pytest.mark.postgres
def test_a_queue_tab_counts_no_further_than_its_cap(client, reviewer, monkeypatch):
    """A tab counts its rows along the queue's own index up to a cap and says "more" beyond it, so a
    queue of 10,000 rows costs what a queue of 1,000 costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    monkeypatch.setattr(queues, "TAB_COUNT_CAP", 1)
    client.force_login(reviewer)
    url = reverse("filings:review-queue", kwargs={"queue": "provider_review"})
    for index in range(3):
        owner = factories.principal_user(username=f"capped-owner-{index}")
        transitions.submit_filing(factories.ready_filing(assignee=owner), by=owner)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert re.search(r'href="[^"]*/provider_review/"[^>]*>[^<]*\(1\+\)</a>', html), html[:3000]
    # The tabs read each queue's deadlines no further than the cap + 1 (and no statement counts them all).
    reads = [q["sql"] for q in captured.captured_queries if '"filings_deadline"."kind"' in q["sql"]]
    assert reads and all("LIMIT" in sql for sql in reads), reads
