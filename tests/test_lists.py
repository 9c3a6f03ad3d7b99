"""Filing lists and search at scale: pages read from a position, counts that stop at a cap, and
search served by the character-pair indexes (on PostgreSQL)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.models import Deadline, Domain, Filing, Subject
from filings.reads import keyset, search
from tests import factories

pytestmark = pytest.mark.django_db


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _counts(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("who", ["principal", "reviewer", "manager"])
def test_list_pages_and_the_api_never_count_the_whole_table(who, request, principal):
    for _ in range(3):
        factories.ready_filing(assignee=principal)
    client = _logged_in(request.getfixturevalue(who))
    for url in (
        reverse("filings:list"),
        reverse("filings:list") + "?state=entry&province=44&q=有限&domain=.cn&overdue=on",
        "/api/v1/filings/",
        "/api/v1/filings/?q=有限&page_size=2",
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        # Every count of filings is bounded (LIMIT inside); the navigation counts the user's unread alerts.
        for sql in _counts(captured):
            assert "LIMIT" in sql.upper() or '"filings_filing"' not in sql, (url, sql)
    assert "count" not in client.get("/api/v1/filings/").json()


def test_list_queries_do_not_grow_with_pages(principal):
    for _ in range(45):
        factories.ready_filing(assignee=principal)
    client = _logged_in(principal)
    first_page = client.get(reverse("filings:list")).content.decode()
    after = re.search(r'after=([\w-]+)" rel="next"', first_page).group(1)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("filings:list"))
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("filings:list"), {"after": after})
    # A later page reads what the first does less the list's size, which only the first page says.
    assert len(second) == len(first) - 1


@pytest.mark.postgres
def test_a_principals_list_narrowed_to_a_stage_reads_its_own_index(principal):
    """The page and its count read the principal's filings in that stage from one index range: the
    largest customer holds 50,000 filings, and the count to the cap otherwise read every open one.

    On a few test rows every index costs the planner the same, and which of equal plans wins follows
    the statistics earlier tests left; so this checks that the page asks in the index's terms and
    that the index leads with them (bench/lists.py shows the planner taking it at a million)."""
    for _ in range(3):
        factories.ready_filing(assignee=principal)
    with CaptureQueriesContext(connection) as captured:
        response = _logged_in(principal).get(reverse("filings:list"), {"state": "entry"})
    assert response.status_code == 200
    narrowed = [q["sql"] for q in captured.captured_queries if '"filings_filing"."state" = ' in q["sql"]]
    assert len(narrowed) == 1  # the page (a short first page is its own count)
    page = narrowed[0]
    assert f'"filings_filing"."assignee_id" = {principal.pk}' in page
    assert 'ORDER BY "filings_filing"."updated_at" DESC, "filings_filing"."id" DESC' in page
    with connection.cursor() as cursor:
        index = connection.introspection.get_constraints(cursor, "filings_filing")[
            "filing_assignee_state_recent"
        ]
    assert index["index"] and index["columns"] == ["assignee_id", "state", "updated_at", "id"]
    assert index["orders"] == ["ASC", "ASC", "DESC", "DESC"]


def test_a_position_breaks_ties_on_the_time(principal):
    made = [factories.ready_filing(assignee=principal) for _ in range(5)]
    moment = timezone.now() - timedelta(days=1)
    Filing.objects.filter(pk__in=[f.pk for f in made]).update(updated_at=moment)
    filings = Filing.objects.filter(assignee=principal)
    seen, after = [], None
    while True:
        page = keyset.page_after(filings, order=keyset.NEWEST_FIRST, after=after, size=2)
        seen += [f.pk for f in page.rows]
        if page.next is None:
            break
        after = keyset.Position.parse(page.next.token(), queryset=filings, order=keyset.NEWEST_FIRST)
    assert seen == sorted((f.pk for f in made), reverse=True)


def test_position_tokens_round_trip_and_refuse_nonsense():
    filings = Filing.objects.all()
    position = keyset.Position((timezone.now(), 42))
    assert keyset.Position.parse(position.token(), queryset=filings, order=keyset.NEWEST_FIRST) == position
    due = keyset.Position((timezone.now(), 7))
    assert (
        keyset.Position.parse(due.token(), queryset=Deadline.objects.all(), order=keyset.SOONEST_DUE) == due
    )
    wrong_type = keyset.Position(("yesterday", 1)).token()
    too_short = keyset.Position((42,)).token()
    for bad in ("", "1", "not base64!", "e30", wrong_type, too_short, "A" * 300):
        with pytest.raises(ValueError):
            keyset.Position.parse(bad, queryset=filings, order=keyset.NEWEST_FIRST)


def test_bigrams_are_the_pairs_of_characters():
    assert search.bigrams("星河云") == sorted({"星河", "河云"})
    assert search.bigrams("AbC") == ["ab", "bc"]
    assert search.bigrams("x") == []


# beian_bigrams() as migration 0006 wrote it: the pairs its indexes were built with.
PAIRS_AS_FIRST_WRITTEN = (
    "ARRAY(SELECT DISTINCT substr(lower(%(v)s), i, 2)"
    " FROM generate_series(1, GREATEST(char_length(%(v)s) - 1, 1)) AS i)"
)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "Ab",
        "星河云帆",
        "杭州星河\nstellar-river.cn\n浙ICP备2026012345号",
        "İstanbul ΣΑΣ",
        "aaaa",
        "a\n",
    ],
)
def test_the_database_pairs_are_those_its_indexes_were_built_with(text):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT beian_bigrams(%(v)s), {PAIRS_AS_FIRST_WRITTEN}", {"v": text})
        pairs, first_written = cursor.fetchone()
    assert sorted(pairs) == sorted(first_written)


@pytest.fixture
def searchable(principal):
    filing = factories.ready_filing(assignee=principal)
    Subject.objects.filter(pk=filing.subject_id).update(name="杭州星河数据科技有限公司")
    website = filing.websites.first()
    website.name = "云帆资讯"
    website.save(update_fields=["name"])
    Domain.objects.filter(website=website).update(name="stellar-river.cn")
    Filing.objects.filter(pk=filing.pk).update(icp_number="浙ICP备2026012345号")
    other = factories.ready_filing(assignee=principal)
    Subject.objects.filter(pk=other.subject_id).update(name="宁波港口物流有限公司")
    other.websites.update(name="港口物流服务")
    return Filing.objects.get(pk=filing.pk), other


@pytest.mark.parametrize(
    "text",
    ["星河", "星河数据", "云帆", "stellar", "river.cn", "2026012345", "浙ICP备2026"],
)
def test_search_finds_a_filing_by_name_domain_or_icp_number(searchable, principal, text):
    filing, other = searchable
    found = set(search.filings_matching(Filing.objects.all(), text).values_list("pk", flat=True))
    assert found == {filing.pk}


def test_search_finds_a_filing_by_its_whole_certificate_number(searchable):
    filing, other = searchable
    number = filing.subject.certificate_number
    assert set(
        search.filings_matching(Filing.objects.all(), number.lower()).values_list("pk", flat=True)
    ) == {filing.pk}


@pytest.mark.postgres
def test_search_uses_the_search_documents_character_pair_index(searchable):
    with connection.cursor() as cursor:
        # Tiny test tables: make the planner show which indexes can serve the search at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search.filings_matching(Filing.objects.all(), "星河").explain()
    assert "filing_search_bigrams" in plan, plan
    plan = search.filings_with_domain(Filing.objects.all(), "stellar").explain()
    assert "domain_name_bigrams" in plan, plan


@pytest.mark.postgres
def test_the_search_document_follows_every_write_without_being_told(searchable):
    """The triggers keep a filing's document whichever table a write touches, by queryset or by save."""
    filing, other = searchable

    def found(text):
        return set(search.filings_matching(Filing.objects.all(), text).values_list("pk", flat=True))

    Subject.objects.filter(pk=filing.subject_id).update(name="温州瓯江文旅有限公司")
    assert found("瓯江") == {filing.pk} and found("星河") == set()
    website = filing.websites.first()
    website.icp_number = "浙ICP备2026012345号-3"
    website.save(update_fields=["icp_number"])
    assert found("2345号-3") == {filing.pk}
    Domain.objects.create(website=website, name="oujiang-trip.cn")
    assert found("oujiang") == {filing.pk}
    Domain.objects.filter(name="oujiang-trip.cn").delete()
    assert found("oujiang") == set()
    # A full save of the filing from a stale copy cannot write an old document back.
    stale = Filing.objects.get(pk=filing.pk)
    Subject.objects.filter(pk=filing.subject_id).update(name="丽水山耕农业有限公司")
    stale.save()
    assert found("山耕") == {filing.pk} and found("瓯江") == set()
    other.websites.update(filing=filing, position=9)
    assert found("港口物流服务") == {filing.pk}


@pytest.mark.postgres
def test_the_database_computes_the_same_pairs_as_python():
    with connection.cursor() as cursor:
        for text in ("杭州星河数据", "Stellar-River.CN", "ab", "x"):
            cursor.execute("SELECT beian_bigrams(%s)", [text])
            assert sorted(cursor.fetchone()[0]) == (search.bigrams(text) or [text.lower()]), text


def test_the_overdue_list_shows_each_overdue_filing_once_most_overdue_first(principal, other_principal):
    now = timezone.now()
    filings = [factories.ready_filing(assignee=principal) for _ in range(4)]
    theirs = factories.ready_filing(assignee=other_principal)
    # Overdue by 1, 3 and 2 days; the fourth is not overdue; another principal's is the most overdue.
    for filing, days in zip(filings[:3], (1, 3, 2), strict=True):
        Deadline.objects.filter(filing=filing, closed_at__isnull=True).update(
            due_at=now - timedelta(days=days)
        )
    Deadline.objects.filter(filing=theirs, closed_at__isnull=True).update(due_at=now - timedelta(days=9))
    # A second overdue deadline of the same filing does not list it twice.
    first = Deadline.objects.filter(filing=filings[1], closed_at__isnull=True).first()
    Deadline.objects.create(
        filing=filings[1],
        province_id=first.province_id,
        stage=first.stage,
        stage_visit=first.stage_visit,
        kind=Deadline.Kind.PUBLIC_SECURITY,
        starts_at=now - timedelta(days=20),
        due_at=now - timedelta(days=5),
    )
    client = _logged_in(principal)
    body = client.get(reverse("filings:list"), {"overdue": "on"}).content.decode()
    names = [f.subject.name for f in (filings[1], filings[2], filings[0])]
    positions = [body.index(name) for name in names]
    assert positions == sorted(positions)
    assert body.count(filings[1].subject.name) == 1
    assert filings[3].subject.name not in body and theirs.subject.name not in body
    assert "共 3 个备案" in body


def test_the_overdue_list_pages_from_a_deadline_position(principal, monkeypatch):
    from filings.web.views import filing_list as filing_list_views

    monkeypatch.setattr(filing_list_views, "PAGE_SIZE", 2)
    now = timezone.now()
    made = [factories.ready_filing(assignee=principal) for _ in range(5)]
    for days, filing in enumerate(made, start=1):
        Deadline.objects.filter(filing=filing, closed_at__isnull=True).update(
            due_at=now - timedelta(days=days)
        )
    client = _logged_in(principal)
    seen, params = [], {"overdue": "on"}
    with CaptureQueriesContext(connection) as first_page:
        body = client.get(reverse("filings:list"), params).content.decode()
    # A large customer's overdue filings lie far apart: a list longer than its page is not counted.
    assert "个备案</p>" not in body
    assert not [
        q for q in first_page.captured_queries if "COUNT(" in q["sql"].upper() and "deadline" in q["sql"]
    ]
    while True:
        body = client.get(reverse("filings:list"), params).content.decode()
        seen += [f.pk for f in made if f.subject.name in body]
        found = re.search(r'after=([\w-]+)" rel="next"', body)
        if not found:
            break
        params = {"overdue": "on", "after": found.group(1)}
    assert sorted(seen) == sorted(f.pk for f in made) and len(seen) == len(made)
