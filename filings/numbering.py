"""ICP numbers of a subject's websites and apps: one sequence per subject (…号-1, …号-2A, …号-3X)."""

from filings.models import App, Filing, Website
from filings.validators import APP_SUFFIXES, icp_sequence


def taken_sequences(filing: Filing, subject_number: str) -> set[int]:
    """Return the sequence numbers the subject's other filings already hold under this number."""
    prefix = subject_number + "-"
    numbers = [
        *Website.objects.filter(filing__subject_id=filing.subject_id, icp_number__startswith=prefix)
        .exclude(filing=filing)
        .values_list("icp_number", flat=True),
        *App.objects.filter(filing__subject_id=filing.subject_id, icp_number__startswith=prefix)
        .exclude(filing=filing)
        .values_list("icp_number", flat=True),
    ]
    return {n for n in map(icp_sequence, numbers) if n is not None}


def published_subject_number(filing: Filing) -> str:
    """Return the ICP number the subject already holds from a published filing ("" if none)."""
    return (
        Filing.objects.filter(subject_id=filing.subject_id, icp_number__gt="")
        .exclude(pk=filing.pk)
        .order_by("-published_at", "-id")
        .values_list("icp_number", flat=True)
        .first()
        or ""
    )


def default_numbers(
    filing: Filing, websites: list[Website], apps: list[App], subject_number: str
) -> tuple[dict[int, str], dict[int, str]]:
    """Return the numbers the filing's websites and apps take: a number already held stays, the
    others take the places after the last one the subject's websites and apps hold, websites first
    (…号-2, …号-3A). A gap is not filled: it may be a number issued through another provider, or a
    cancelled site's."""
    taken = taken_sequences(filing, subject_number)
    prefix = subject_number + "-"
    kept = [*(w.icp_number for w in websites), *(a.icp_number for a in apps)]
    taken |= {icp_sequence(n) for n in kept if n and n.startswith(prefix)}
    free = iter(range(max(taken, default=0) + 1, 1000))
    website_numbers = {
        w.pk: w.icp_number if w.icp_number and w.icp_number.startswith(prefix) else f"{prefix}{next(free)}"
        for w in websites
    }
    app_numbers = {
        a.pk: a.icp_number
        if a.icp_number and a.icp_number.startswith(prefix)
        else f"{prefix}{next(free)}{APP_SUFFIXES.get(a.kind, 'A')}"
        for a in apps
    }
    return website_numbers, app_numbers
