"""Search's own query shapes find what the search document finds, in the list's order: the start
of an ICP number through the numbers' prefix indexes, and a page's ids chosen before its rows are
joined."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.models import Domain, Filing, Website
from filings.reads import keyset, search
from tests import factories

pytestmark = pytest.mark.django_db


def _numbered(number: str, *, assignee, age_days: int, website_number: str = "") -> Filing:
    filing = factories.FilingFactory(assignee=assignee)
    factories.WebsiteFactory(filing=filing, position=1, icp_number=website_number)
    Filing.objects.filter(pk=filing.pk).update(
        icp_number=number, updated_at=timezone.now() - timedelta(days=age_days)
    )
    return filing


@pytest.fixture
def numbered(principal):
    """Filings numbered in two provinces and two years, each changed at another time (two at one)."""
    numbered = [
        _numbered(
            "浙ICP备2026012345号", assignee=principal, age_days=3, website_number="浙ICP备2026012345号-1"
        ),
        _numbered("浙ICP备2026099999号", assignee=principal, age_days=1),
        _numbered("浙ICP备2025012345号", assignee=principal, age_days=2),
        _numbered("京ICP备2026012345号", assignee=principal, age_days=4),
        _numbered("浙ICP备2026054321号", assignee=principal, age_days=5),
        _numbered("浙ICP备2026054322号", assignee=principal, age_days=5),
        _numbered("", assignee=principal, age_days=0),
    ]
    numbered[0].subject.name = "杭州星河数据科技有限公司"
    numbered[0].subject.save(update_fields=["name"])
    return numbered


def _document_order(text: str) -> list[int]:
    """The filings whose search document holds the text, newest first: what search found before."""
    rows = Filing.objects.filter(search_document__contains=text.lower()).order_by(*keyset.NEWEST_FIRST)
    return list(rows.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浙ICP备2026", [1, 0, 4, 5]),
        ("浙icp备2026", [1, 0, 4, 5]),
        (" 浙ICP备20260543 ", [4, 5]),
        ("浙ICP备2026012345号", [0]),
        ("浙ICP备2026012345号-", [0]),
        ("浙ICP备2026012345号-1", [0]),
        ("浙ICP备2026012345号-2", []),
        ("京ICP备", [3]),
        ("沪ICP备2026", []),
    ],
)
@pytest.mark.postgres
def test_an_icp_number_prefix_finds_what_the_document_finds_in_list_order(numbered, text, expected):
    assert search.icp_number_prefix(text) is not None
    found = list(search.filings_matching(Filing.objects.all(), text).order_by(*keyset.NEWEST_FIRST))
    # Two filings changed at the same moment come highest id first, as the list orders them.
    by_index = [numbered[i].pk for i in expected]
    if {4, 5} <= set(expected):
        at = by_index.index(numbered[4].pk)
        by_index[at : at + 2] = sorted(by_index[at : at + 2], reverse=True)
    assert [f.pk for f in found] == by_index == _document_order(text.strip())


@pytest.mark.parametrize("text", ["ICP备2026", "2026012345", "星河", "浙江ICP备", "号-1"])
def test_only_the_start_of_an_icp_number_reads_the_number_indexes(text):
    assert search.icp_number_prefix(text) is None


@pytest.mark.postgres
def test_a_published_filings_numbers_are_found_by_their_start(principal, reviewer):
    """Numbers given as the services give them: the website's is the filing's and "-1"."""
    filing = factories.published_filing(assignee=principal, reviewer=reviewer)
    website_number = Website.objects.get(filing=filing).icp_number
    for text in (filing.icp_number[:8], filing.icp_number, website_number, website_number[:-1]):
        found = list(search.filings_matching(Filing.objects.all(), text).values_list("pk", flat=True))
        assert found == [filing.pk] == _document_order(text), text


@pytest.mark.postgres
def test_an_icp_number_prefix_reads_its_index_and_counts_to_the_cap(numbered):
    matches = search.filings_matching(Filing.objects.all(), "浙ICP备2026")
    assert keyset.capped_count(matches, cap=2) == 3
    assert keyset.capped_count(matches, cap=10) == 4
    with connection.cursor() as cursor:
        # Tiny test tables: make the planner show which index serves the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    assert "filing_icp_number_prefix" in matches.explain()
    with_dash = search.filings_matching(Filing.objects.all(), "浙ICP备2026012345号-1")
    assert "website_icp_number_prefix" in with_dash.explain()


@pytest.mark.postgres
def test_the_list_shows_an_icp_number_prefixs_filings_newest_first_a_page_at_a_time(
    numbered, principal, monkeypatch
):
    monkeypatch.setattr("filings.web.views.filing_list.PAGE_SIZE", 2)
    client = Client()
    client.force_login(principal)
    seen, url = [], reverse("filings:list") + "?q=浙icp备2026"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [row["filing"].pk for row in response.context["rows"]]
        page = response.context["page"]
        url = reverse("filings:list") + f"?q=浙icp备2026&after={page.next.token()}" if page.next else None
    assert seen == _document_order("浙ICP备2026")
    assert len(seen) == 4


@pytest.mark.postgres
@pytest.mark.parametrize("common", [True, False])
@pytest.mark.parametrize("text", ["有限", "浙ICP备2026", "星河数据", "浙icp备20260123"])
def test_walking_the_list_or_sorting_what_is_found_changes_no_row_and_no_order(
    numbered, text, common, monkeypatch
):
    """Whichever way a search reads (a common text walks the list, the rest sort what their index
    finds), each page holds the rows the document finds, in the list's order."""
    monkeypatch.setattr(search, "_common", lambda _text: common)
    filings = search.filings_matching(Filing.objects.select_related("subject", "assignee"), text)
    expected = _document_order(text)
    for sort_found in (False, True, search.sorts_found(text)):
        seen, after = [], None
        while True:
            page = keyset.page_after(
                filings, order=keyset.NEWEST_FIRST, after=after, size=2, sort_found=sort_found
            )
            assert all(f.subject.name and f.assignee.username for f in page.rows)
            seen += [f.pk for f in page.rows]
            if page.next is None:
                break
            after = page.next
        assert seen == expected, (text, common, sort_found)
    assert expected


@pytest.mark.postgres
def test_a_common_text_walks_the_list_and_a_rare_one_sorts_what_the_pair_index_finds(numbered, monkeypatch):
    monkeypatch.setattr(search, "_common", lambda _text: True)
    walking = search.filings_matching(Filing.objects.all(), "有限")
    assert "beian_bigrams" not in str(walking.query) and not search.sorts_found("有限")
    monkeypatch.setattr(search, "_common", lambda _text: False)
    finding = search.filings_matching(Filing.objects.all(), "有限")
    assert "beian_bigrams" in str(finding.query) and search.sorts_found("有限")
    # The start of an ICP number is always sorted from its own index.
    assert search.sorts_found("浙ICP备2026")


@pytest.mark.postgres
def test_the_planner_tells_a_common_text_from_a_rare_one(principal):
    """On 300 documents analysed, a text in all but one is common and a text in one is not."""
    made = [factories.FilingFactory(assignee=principal) for _ in range(300)]
    made[7].subject.name = "温州瓯江文旅有限公司"
    made[7].subject.save(update_fields=["name"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE filings_filing")
    assert not search.sorts_found("星河")
    assert search.sorts_found("瓯江")
    assert [f.pk for f in search.filings_matching(Filing.objects.all(), "瓯江")] == [made[7].pk]
    assert search.filings_matching(Filing.objects.all(), "星河").count() == 299


@pytest.mark.postgres
def test_a_sorted_search_page_never_walks_the_lists_index_hoping_for_matches(numbered):
    """The matches of an ICP number's start are old filings: the page reads them from the number
    index and sorts them, whatever the planner guesses of where they lie."""
    filings = search.filings_matching(Filing.objects.select_related("subject"), "浙ICP备2026")
    with connection.cursor() as cursor:
        # As a planner would that expects a match among the list's first rows: no sort if it can help it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    with CaptureQueriesContext(connection) as captured:
        keyset.rows_after(filings, order=keyset.NEWEST_FIRST, after=None, limit=21, sort_found=True)
    (page_sql,) = [q["sql"] for q in captured.captured_queries if "filings_subject" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The page's ids (the subquery, its table aliased U0) come from the number index, not a walk.
    assert re.search(r"filing_icp_number_prefix on filings_filing u0\b", plan), plan
    assert not re.search(r"filing_recent on filings_filing u0\b", plan), plan


@pytest.mark.postgres
@pytest.mark.parametrize("common", [True, False])
def test_a_search_counts_its_list_up_to_the_cap(numbered, principal, common, monkeypatch):
    # The planner's estimates of the matches and of all filings: a common text, or a rare one.
    monkeypatch.setattr(search, "_estimates", lambda _text: (1000.0, 1000.0) if common else (1.0, 1000.0))
    monkeypatch.setattr("filings.web.views.filing_list.PAGE_SIZE", 2)
    monkeypatch.setattr(keyset, "SPARSE_COUNT_CAP", 2)
    client = Client()
    client.force_login(principal)
    # More than the cap (counted to cap + 1), more than a page, and a page's worth (not counted).
    for text, total in (("浙ICP备2026", 3), ("星河科技", 3), ("浙ICP备20260543", 2), ("浙ICP备2025", 1)):
        assert min(len(_document_order(text)), 3) == total
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("filings:list"), {"q": text})
        assert response.status_code == 200
        assert response.context["total"] == total, text
        # A common text's count walks the list's order as its page did; a sorted search's does not.
        counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
        filing_counts = [sql for sql in counts if '"filings_filing"."updated_at" DESC' in sql]
        walks = common and search.icp_number_prefix(text) is None
        assert len(filing_counts) == (1 if walks and total == 3 else 0), (text, counts)


@pytest.mark.postgres
def test_a_text_between_common_and_rare_walks_for_its_page_and_counts_through_its_index(
    numbered, principal, manager, client_for, monkeypatch
):
    """A text in a few thousand of a million documents (海青): in the list of every filing its page
    walks the list, which finds a page sooner than the pair index finds every match, and its count
    reads the pair index, which stops at the cap sooner than a walk would. A list narrowed to a
    customer may hold none of its matches: there the page is sorted from what the index finds."""
    # Estimated in 300 of 1,000 filings: 300² ≥ 21 × 1,000 (the page walks), < 100 × 1,000.
    monkeypatch.setattr(search, "_estimates", lambda _text: (300.0, 1000.0))
    assert search.reading("星河科技", page_size=20) == search.Reading(sorts_page=False, walks_count=False)
    monkeypatch.setattr("filings.web.views.filing_list.PAGE_SIZE", 2)
    monkeypatch.setattr(keyset, "SPARSE_COUNT_CAP", 2)
    with CaptureQueriesContext(connection) as captured:
        assert client_for(principal).get(reverse("filings:list"), {"q": "星河科技"}).status_code == 200
    (principal_page,) = [q["sql"] for q in captured.captured_queries if "filings_subject" in q["sql"]]
    assert "beian_bigrams" in principal_page and "COALESCE" in principal_page
    client = client_for(manager)
    expected = _document_order("星河科技")
    assert len(expected) >= 3
    seen, url, first = [], reverse("filings:list") + "?q=星河科技", True
    while url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        seen += [row["filing"].pk for row in response.context["rows"]]
        page_sql = [q["sql"] for q in captured.captured_queries if "filings_subject" in q["sql"]]
        assert all("beian_bigrams" not in sql and "LIMIT 3" in sql for sql in page_sql), page_sql
        counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
        filing_counts = [sql for sql in counts if "filings_filing" in sql]
        if first:
            assert response.context["total"] == 3
            (count_sql,) = filing_counts
            assert "beian_bigrams" in count_sql and '"updated_at" DESC' not in count_sql, count_sql
        else:
            assert filing_counts == []
        page, first = response.context["page"], False
        url = reverse("filings:list") + f"?q=星河科技&after={page.next.token()}" if page.next else None
    assert seen == expected


@pytest.mark.postgres
def test_a_long_domain_is_looked_up_by_its_rarest_pairs_in_the_domain_index(principal):
    """Every domain holds `.c` and `cn`: the domain index is asked for the text's rarest pairs as its
    own statistics count them, without those in most domains, and still finds exactly the domains
    that contain the text."""
    for n in range(60):
        filing = factories.FilingFactory(assignee=principal)
        website = factories.WebsiteFactory(filing=filing, position=1)
        factories.DomainFactory(website=website, name=f"site{1000 + n}.cn")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE filings_domain")
    found = search.containing(Domain.objects.all(), "name", "site1011.cn")
    asked = re.search(r"@> \(?ARRAY\[([^\]]*)\]", str(found.query)).group(1)
    assert 0 < len(asked.split(",")) <= search.INDEX_PAIRS
    assert not {"'si'", "'it'", "'te'", "'.c'", "'cn'"} & {pair.strip() for pair in asked.split(",")}, asked
    assert [d.name for d in found] == ["site1011.cn"]
    filings = search.filings_with_domain(Filing.objects.all(), "SITE101")
    expected = Filing.objects.filter(websites__domains__name__icontains="site101").distinct()
    assert sorted(f.pk for f in filings) == sorted(f.pk for f in expected) and len(expected) == 10


def _full_width(text: str) -> str:
    """The text as a Chinese input method in full-width mode types its letters and digits."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _listed(principal, text: str) -> list[int]:
    client = Client()
    client.force_login(principal)
    response = client.get(reverse("filings:list"), {"q": text})
    assert response.status_code == 200
    return [row["filing"].pk for row in response.context["rows"]]


@pytest.mark.postgres
def test_full_width_letters_and_digits_find_what_half_width_ones_find(principal, reviewer):
    filing = factories.published_filing(assignee=principal, reviewer=reviewer)
    factories.ready_filing(assignee=principal)  # one the searches must leave out
    number_start = filing.icp_number[:10]  # 粤ICP备2026…
    certificate = filing.subject.certificate_number
    domain = Domain.objects.get(website__filing=filing).name.split(".")[0]
    for half in (number_start, filing.icp_number, certificate, domain.upper()):
        full = _full_width(half)
        assert full != half
        assert _listed(principal, full) == _listed(principal, half) == [filing.pk], half
    # Typed in full width, the start of an ICP number still reads the numbers' own index.
    assert search.icp_number_prefix(_full_width(number_start.lower())) == number_start
    matches = search.filings_matching(Filing.objects.all(), _full_width(number_start))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    assert "filing_icp_number_prefix" in matches.explain()


def test_full_width_digits_find_a_filing_on_any_database(principal):
    filing = factories.ready_filing(assignee=principal)
    certificate = filing.subject.certificate_number
    assert _listed(principal, _full_width(certificate)) == [filing.pk]


def test_only_letters_and_digits_are_folded_full_width_punctuation_stays():
    assert search.search_term(" ＩＣＰ备９１３７ｘｙ ") == "ICP备9137xy"
    assert search.search_term("星河（广州）科技，有限公司＿－") == "星河（广州）科技，有限公司＿－"
