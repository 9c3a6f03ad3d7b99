"""Finding filings by what users type: two or three characters of a name (星河), part of a domain or
an ICP number, or a whole certificate number.

On PostgreSQL each searched text column has a GIN index over its overlapping character pairs
(`beian_bigrams(column)`, migration 0006): a query of n characters must contain all its n-1 pairs,
which the index answers for any length from two characters on (trigram indexes cannot serve a
two-character CJK query), and the ILIKE beside it checks the candidates. SQLite (`make run`) has
no such index and scans with the ILIKE alone.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Func, QuerySet

from filings.models import App, AppPlatform, Domain, Filing, Subject, Website

# Shorter queries would match a large share of all names: the forms ask for at least this many.
MIN_QUERY_LENGTH = 2


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
    return matches.alias(**{alias: Bigrams(field)}).filter(**{f"{alias}__contains": bigrams(text)})


def matching_filing_ids(text: str) -> QuerySet:
    """Return the ids of filings whose subject, website or app name, domain or ICP number contains
    the text, or whose subject's certificate number or app's package name is the text."""
    text = text.strip()
    subjects = containing(Subject.objects.all(), "name", text).values("pk")
    by_certificate = Subject.objects.filter(certificate_number__iexact=text).values("pk")
    # Each part finds its ids through its own index; the union is the set a list then orders.
    parts = [
        Filing.objects.filter(subject__in=subjects).values("pk"),
        Filing.objects.filter(subject__in=by_certificate).values("pk"),
        containing(Filing.objects.all(), "icp_number", text).values("pk"),
        containing(Website.objects.all(), "name", text).values("filing_id"),
        containing(App.objects.all(), "name", text).values("filing_id"),
        AppPlatform.objects.filter(package_name__iexact=text).values("app__filing_id"),
        matching_domain_filing_ids(text),
    ]
    first, *rest = (part.order_by() for part in parts)
    return first.union(*rest)


def matching_domain_filing_ids(text: str) -> QuerySet:
    """Return the ids of filings with a domain that contains the text."""
    return containing(Domain.objects.all(), "name", text.strip().lower()).values("website__filing_id")


def search_subjects(subjects: QuerySet[Subject], text: str) -> QuerySet[Subject]:
    """Filter subjects to those whose name contains the text or whose certificate number it is."""
    text = text.strip()
    named = containing(subjects, "name", text)
    return named | subjects.filter(certificate_number__iexact=text)


def filings_matching(filings: QuerySet[Filing], text: str) -> QuerySet[Filing]:
    """Filter filings to those matching_filing_ids() finds."""
    return filings.filter(pk__in=matching_filing_ids(text))
