"""Finding filings by what users type: two or three characters of a name (星河), part of a domain,
an ICP number or a certificate number.

On PostgreSQL a filing's searchable texts stand together in its `search_document` (kept by
triggers, migration 0020), indexed by GIN over its overlapping character pairs
(`beian_bigrams(column)`, migration 0006): a query of n characters must contain all its n-1 pairs,
which the index answers for any length from two characters on (trigram indexes cannot serve a
two-character CJK query), and the ILIKE beside it checks the candidates. Subject names and domains
keep pair indexes of their own for the subject picker and the domain filter. SQLite (`make run`)
has no such index and scans with the ILIKE alone.
"""

import json
import re
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Func, QuerySet

from filings.models import App, AppPlatform, Domain, Filing, Subject, Website
from filings.reads.keyset import SPARSE_COUNT_CAP as COUNT_CAP_OF_SEARCH

# Shorter queries would match a large share of all names: the forms ask for at least this many.
MIN_QUERY_LENGTH = 2

# Full-width digits and Latin letters (U+FF10–FF19, U+FF21–FF3A, U+FF41–FF5A), as a Chinese input
# method types them in full-width mode, and their half-width forms, 0xFEE0 below.
HALF_WIDTH = {
    code: code - 0xFEE0
    for block in (range(0xFF10, 0xFF1A), range(0xFF21, 0xFF3B), range(0xFF41, 0xFF5B))
    for code in block
}


def search_term(text: str) -> str:
    """Return what a search looks for when the text is typed: trimmed, its full-width letters and
    digits made half-width (numbers, domains and names are stored so). Full-width punctuation stays,
    as company names are written with it (星河（广州）科技)."""
    return text.strip().translate(HALF_WIDTH)


class Bigrams(Func):
    """beian_bigrams(column): the column's distinct lower-case character pairs."""

    function = "beian_bigrams"
    output_field = ArrayField(models.TextField())


def bigrams(text: str) -> list[str]:
    """Return the text's distinct lower-case character pairs, as beian_bigrams() computes them."""
    lowered = text.lower()
    return sorted({lowered[i : i + 2] for i in range(len(lowered) - 1)})


def containing(queryset: QuerySet, field: str, text: str) -> QuerySet:
    """Filter the queryset to rows whose `field` contains `text`, case-insensitively."""
    matches = queryset.filter(**{f"{field}__icontains": text})
    if connection.vendor != "postgresql" or len(text) < MIN_QUERY_LENGTH:
        return matches
    alias = f"{field}_bigrams"
    # The pair indexes of migration 0006 are named so (domain_name_bigrams).
    index = f"{queryset.model._meta.model_name}_{field}_bigrams"
    return matches.alias(**{alias: Bigrams(field)}).filter(
        **{f"{alias}__contains": _rarest(bigrams(text), index)}
    )


def matching_filing_ids(text: str) -> QuerySet:
    """Return the ids of filings whose subject or certificate number, ICP numbers, website, domain
    or app names or package names contain the text (SQLite's way, table by table)."""
    text = search_term(text)
    subjects = containing(Subject.objects.all(), "name", text).values("pk")
    by_certificate = containing(Subject.objects.all(), "certificate_number", text).values("pk")
    # Each part finds its ids through its own index; the union is the set a list then orders.
    parts = [
        Filing.objects.filter(subject__in=subjects).values("pk"),
        Filing.objects.filter(subject__in=by_certificate).values("pk"),
        containing(Filing.objects.all(), "icp_number", text).values("pk"),
        containing(Website.objects.all(), "name", text).values("filing_id"),
        containing(Website.objects.all(), "icp_number", text).values("filing_id"),
        containing(App.objects.all(), "name", text).values("filing_id"),
        containing(App.objects.all(), "icp_number", text).values("filing_id"),
        containing(AppPlatform.objects.all(), "package_name", text).values("app__filing_id"),
        matching_domain_filing_ids(text),
    ]
    first, *rest = (part.order_by() for part in parts)
    return first.union(*rest)


def matching_domain_filing_ids(text: str) -> QuerySet:
    """Return the ids of filings with a domain that contains the text."""
    return containing(Domain.objects.all(), "name", search_term(text).lower()).values("website__filing_id")


def search_subjects(subjects: QuerySet[Subject], text: str) -> QuerySet[Subject]:
    """Filter subjects to those whose name contains the text or whose certificate number it is."""
    text = search_term(text)
    named = containing(subjects, "name", text)
    return named | subjects.filter(certificate_number__iexact=text)


def filings_matching(
    filings: QuerySet[Filing], text: str, *, sorted_found: bool | None = None
) -> QuerySet[Filing]:
    """Filter filings to those matching_filing_ids() finds (`sorted_found`: what sorts_found(text)
    said, when the caller has asked it already).

    On PostgreSQL each filing carries all of it in `search_document` (kept by triggers, migration
    0020), so a list reads one column of one table: a rare text through the column's pair index,
    a common one (科技) by walking the list's own order until a page is full. The start of an ICP
    number (京ICP备2025) reads the numbers' own index instead: every ICP number shares most of its
    pairs, so the pair index would hand over a whole province's numbers to check."""
    if connection.vendor != "postgresql":
        return filings.filter(pk__in=matching_filing_ids(text))
    prefix = icp_number_prefix(text)
    if prefix is not None:
        return filings_by_icp_number(filings, prefix)
    if not (sorts_found(text) if sorted_found is None else sorted_found):
        # The LIKE alone, whose estimate is the column's own: the planner walks the list's index.
        return filings.filter(search_document__contains=search_term(text).lower())
    return _in_document(filings, text)


def sorts_found(text: str) -> bool:
    """Return whether a list searched for the text should sort the filings its index finds (the
    start of an ICP number, a rare text) rather than walk the list's order until a page is full
    (a common text), as keyset.rows_after(sort_found=…) does."""
    return connection.vendor == "postgresql" and (icp_number_prefix(text) is not None or not _common(text))


@dataclass(frozen=True)
class Reading:
    """How a list searched for a text reads its page and its count (see reading())."""

    sorts_page: bool
    walks_count: bool


def reading(text: str, *, page_size: int, narrowed: bool = False) -> Reading:
    """Return how a list of `page_size` rows a page reads a search for the text: its page sorted
    from what the index finds or walked in the list's order, its count walked or read through the
    pair index (which stops at the cap, having marked every match in a bitmap).

    A walk reads about rows / share filings to find `rows` matches, sorting reads share × all
    filings: the page walks when its page_size + 1 rows come sooner, the count when its cap + 1
    does (see _common()). A text between (海青, in 7,525 of a million documents) walks for its page
    (2,800 filings read instead of 7,525) and counts through the pair index (a walk would read
    13,000). A list `narrowed` to a customer, a province or a state may hold few of its matches
    (海青 is in names of 青海 and 上海, not of 北京), and a walk that finds none reads the whole
    list: there only a common text walks for its page."""
    if connection.vendor != "postgresql" or len(search_term(text)) < MIN_QUERY_LENGTH:
        return Reading(sorts_page=False, walks_count=True)
    if icp_number_prefix(text) is not None:
        return Reading(sorts_page=True, walks_count=False)
    matches, filings = _estimates(text)
    walked_for = COUNT_CAP_OF_SEARCH if narrowed else page_size + 1
    return Reading(
        sorts_page=not _walk_finds_sooner(walked_for, matches, filings),
        walks_count=_walk_finds_sooner(COUNT_CAP_OF_SEARCH, matches, filings),
    )


def for_count(matching: QuerySet, text: str, how: Reading) -> QuerySet:
    """Return what a search list read as `how` counts: its page's queryset, with the pair condition
    beside the LIKE when the page walked and the count should not (a text between common and rare),
    so that the count reads the pair index and stops at its cap."""
    if how.sorts_page or how.walks_count:
        return matching
    return _with_pairs(matching, search_term(text).lower())


def _common(text: str) -> bool:
    """Return whether so many documents hold the text that walking the list's order finds a page
    and the count's cap sooner than the pair index finds every match: a walk reads about cap / share
    rows, the index share × all rows."""
    if len(search_term(text)) < MIN_QUERY_LENGTH:
        return True
    return _walk_finds_sooner(COUNT_CAP_OF_SEARCH, *_estimates(text))


def _walk_finds_sooner(rows: int, matches: float, filings: float) -> bool:
    """Return whether walking the list finds `rows` matches sooner than the pair index finds every
    match: a walk reads about rows / share filings, the index share × all filings."""
    return matches * matches >= rows * filings


def _estimates(text: str) -> tuple[float, float]:
    """Return the planner's estimates of how many filings' documents hold the text, and of all
    filings.

    The first is the estimate of the LIKE alone, from the column's histogram of 1,000 documents
    (statistics target, migration 0020), which is honest for a common text. Beside the pair
    condition it is not: the planner multiplies the two as if unrelated, though every match of the
    LIKE has the pairs, and took 藏凌 (1,641 of a million) for 5 and 科技有 (a quarter) for 0.6%."""
    lowered = search_term(text).lower()
    # One plan, two estimates: the matches, and all filings. Unordered: planning the list's order
    # for each (every index of the table weighed, a sort costed) took longer than the estimates.
    matching = Filing.objects.filter(search_document__contains=lowered).values("pk").order_by()
    every = Filing.objects.values("pk").order_by()
    sql, params = matching.union(every, all=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        explained = cursor.fetchone()[0]
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    matches, filings = (part["Plan Rows"] for part in plan["Plans"])
    return matches, filings


# An ICP number starts with its province's one-character abbreviation and ICP备 (粤ICP备2023012345号-1).
# Text typed so is looked up among ICP numbers only (a name that held it would not be found).
ICP_NUMBER_START = re.compile(r"[\u4e00-\u9fff]ICP备", re.IGNORECASE)


def icp_number_prefix(text: str) -> str | None:
    """Return the text as the start of an ICP number as numbers are stored (京ICP备2025 for
    京icp备2025), or None when it does not start like one."""
    text = search_term(text)
    return text.upper() if ICP_NUMBER_START.match(text) else None


def filings_by_icp_number(filings: QuerySet[Filing], prefix: str) -> QuerySet[Filing]:
    """Filter filings to those with an ICP number (their own, a website's or an app's) that starts
    with the prefix.

    A website's or app's number is its filing's number followed by "-N" (formats/validators), so a
    prefix without a "-" finds the filing by its own number, and one with a "-" by its websites' and
    apps' numbers. Each is a range of a btree index (varchar_pattern_ops), read in number order: a
    count stops at its cap, and a page sorts the range's filings alone before joining its rows."""
    if "-" not in prefix:
        return filings.filter(icp_number__startswith=prefix)
    websites = Website.objects.filter(icp_number__startswith=prefix).values("filing_id")
    apps = App.objects.filter(icp_number__startswith=prefix).values("filing_id")
    return filings.filter(pk__in=websites.union(apps))


def _in_document(filings: QuerySet[Filing], text: str) -> QuerySet[Filing]:
    """Filter filings to those whose (lower-case) search document contains the text. A plain LIKE
    on the column, not ILIKE on an expression: the planner then estimates how many rows match from
    the column's statistics and walks the list's own index for a common text."""
    lowered = search_term(text).lower()
    return _with_pairs(filings.filter(search_document__contains=lowered), lowered)


def _with_pairs(filings: QuerySet[Filing], lowered: str) -> QuerySet[Filing]:
    """Filter filings to those whose document has the (lower-case) text's rarest pairs."""
    if len(lowered) < MIN_QUERY_LENGTH:
        return filings
    return filings.alias(document_bigrams=Bigrams("search_document")).filter(
        document_bigrams__contains=_rarest(bigrams(lowered), "filing_search_bigrams")
    )


# The pair index is asked for at most this many of a text's pairs; the LIKE checks the whole text.
INDEX_PAIRS = 6
# The share of rows above which a pair is left to the LIKE when a rarer one is asked for.
COMMON_PAIR = 0.5


def _rarest(pairs: list[str], index: str) -> list[str]:
    """Return the text's least common pairs, as the index's own statistics count them: a company
    name has twenty pairs, and reading the entries of 有限 and 公司 (in every document) costs more
    than checking the few rows that the rare pairs leave. Pairs the statistics do not list are
    rarer than those they do. Only a choice of work: any subset finds every match."""
    if len(pairs) <= INDEX_PAIRS:
        return pairs
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pair, freq FROM pg_stats,"
            " unnest(most_common_elems::text::text[], most_common_elem_freqs) AS common(pair, freq)"
            " WHERE tablename = %s AND pair = ANY(%s)",
            [index, pairs],
        )
        frequency = dict(cursor.fetchall())
    rarest = sorted(pairs, key=lambda pair: (frequency.get(pair, 0.0), pair))[:INDEX_PAIRS]
    # A pair in most rows (a domain's .c and cn) rules out few of the rows the rarer ones leave,
    # and its entries cost more to read than checking those rows (669 index pages against 109).
    return rarest[:1] + [pair for pair in rarest[1:] if frequency.get(pair, 0.0) <= COMMON_PAIR]


def filings_with_domain(filings: QuerySet[Filing], text: str) -> QuerySet[Filing]:
    """Filter filings to those with a domain that contains the text."""
    with_domain = filings.filter(pk__in=matching_domain_filing_ids(text))
    if connection.vendor == "postgresql":
        # The document narrows the filings first; the domain table then confirms the match.
        return _in_document(with_domain, text)
    return with_domain
