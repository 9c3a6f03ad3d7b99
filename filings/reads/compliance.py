"""What may get published filings cancelled: open rectifications (oldest first, by province and
kind), each filing's last site checks, numbers out of service or flagged by the province's data, and
expired domains."""

from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet

from filings.kinds.states import State
from filings.models import CallAttempt, Deadline, Domain, Filing, Person, SiteCheck, Website
from filings.models.contacts import CALL_OUTCOMES
from filings.models.deadlines import RECTIFICATION_KINDS
from filings.reads import keyset
from filings.rules import contact_flags

OLDEST_FIRST = ("starts_at", "id")
PAGE_SIZE = 50


def open_rectifications(*, province_id: int | None = None, kind: str | None = None) -> QuerySet:
    """Open rectification periods of every filing, narrowed to a province and a kind of failure."""
    rows = Deadline.objects.filter(closed_at__isnull=True, kind__in=RECTIFICATION_KINDS)
    if province_id is not None:
        rows = rows.filter(province_id=province_id)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.select_related("filing__subject", "province").only(
        "id",
        "kind",
        "starts_at",
        "due_at",
        "workdays",
        "provisional",
        "stage_visit",
        "filing_id",
        "filing__icp_number",
        "filing__subject__name",
        "province__name",
        "province__code",
    )


def rectification_page(
    *,
    province_id: int | None = None,
    kind: str | None = None,
    after: keyset.Position | None = None,
    size: int = PAGE_SIZE,
) -> keyset.Page:
    return keyset.page_after(
        open_rectifications(province_id=province_id, kind=kind), order=OLDEST_FIRST, after=after, size=size
    )


def rectification_rows(
    *, province_id: int | None = None, kind: str | None = None, batch: int = 2000
) -> Iterator[Deadline]:
    """Every open rectification in order, read in bounded batches (for the CSV export)."""
    after = None
    while True:
        page = keyset.page_after(
            open_rectifications(province_id=province_id, kind=kind),
            order=OLDEST_FIRST,
            after=after,
            size=batch,
        )
        yield from page.rows
        if page.next is None:
            return
        after = page.next


def last_site_checks(filing: Filing, *, limit: int = 5) -> list[SiteCheck]:
    return list(
        SiteCheck.objects.filter(filing=filing)
        .select_related("website")
        .order_by("-checked_at", "-id")[:limit]
    )


def contacts_of(filing: Filing, *, websites: list[Website] | None = None) -> list[Person]:
    """Return the filing's responsible people: the subject's principal, then each website's
    (`websites`: the filing's in order with their principals, when the caller has them)."""
    people = {filing.subject_principal_id: filing.subject_principal}
    if websites is None:
        # Read afresh: chained onto websites a page prefetched, the query would repeat their prefetches.
        websites = Website.objects.filter(filing=filing).select_related("principal").order_by("position")
    for website in websites:
        people.setdefault(website.principal_id, website.principal)
    return list(people.values())


def contact_attempts(filing: Filing) -> list[CallAttempt]:
    """Return every call and undelivered text to the filing's people, oldest first."""
    return list(
        CallAttempt.objects.filter(filing=filing).select_related("person").order_by("called_at", "id")
    )


def numbers_out_of_service(
    filing: Filing, *, attempts: list[CallAttempt] | None = None
) -> list[tuple[Person, str]]:
    """Return (person, number) for each registered number whose last call found it out of service:
    a change filing (变更备案) is proposed to update it (`attempts`: contact_attempts(), when read)."""
    latest: dict[tuple[int, str], CallAttempt] = {}
    for attempt in contact_attempts(filing) if attempts is None else attempts:
        latest[(attempt.person_id, attempt.number)] = attempt
    return [
        (a.person, a.number)
        for a in latest.values()
        if a.outcome == CallAttempt.Outcome.OUT_OF_SERVICE
        and a.number in {a.person.mobile, a.person.emergency_phone}
    ]


def expired_domains(filing: Filing, *, today: date) -> list[Domain]:
    """Return the filing's live websites' domains that have expired (a cancellation risk), soonest
    expired first; from the websites and domains the caller prefetched, when it did."""
    expired = (
        domain
        for website in filing.websites.all()
        if website.cancelled_at is None and website.access_cancelled_at is None
        for domain in website.domains.all()
        if domain.expires_on is not None and domain.expires_on < today
    )
    return sorted(expired, key=lambda domain: (domain.expires_on, domain.name))


def filing_compliance(filing: Filing, *, today: date, for_reviewer: bool = False) -> dict:
    """What a published filing's page shows about what may get it cancelled, read from the filing
    as selectors.filing_detail() loads it (its deadlines, and its websites with their domains and
    principals) where it can be."""
    if filing.state != State.PUBLISHED:
        return {}
    attempts = contact_attempts(filing)
    websites = sorted(filing.websites.all(), key=lambda website: website.position)
    contacts = contacts_of(filing, websites=websites)
    open_rectifications = (
        d for d in filing.deadlines.all() if d.closed_at is None and d.kind in RECTIFICATION_KINDS
    )
    return {
        "site_checks": last_site_checks(filing),
        # Oldest first (OLDEST_FIRST).
        "rectifications": sorted(open_rectifications, key=lambda d: (d.starts_at, d.pk)),
        "numbers_out_of_service": numbers_out_of_service(filing, attempts=attempts),
        "flagged_numbers": contact_flags.number_flags(filing.province, contacts),
        "expired_domains": expired_domains(filing, today=today),
        "can_record_calls": for_reviewer,
        "contacts": contacts if for_reviewer else [],
        "call_outcomes": CALL_OUTCOMES,
        "call_attempts": attempts[::-1][:10],  # the latest ten, as recent_contact_attempts() reads them
    }


def recent_contact_attempts(filing: Filing, *, limit: int = 50) -> list[CallAttempt]:
    """Return the latest calls and undelivered texts to the filing's people, newest first."""
    if filing.state != State.PUBLISHED:
        return []
    return list(
        CallAttempt.objects.filter(filing=filing)
        .select_related("person")
        .order_by("-called_at", "-id")[:limit]
    )
