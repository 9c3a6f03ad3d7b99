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


def default_app_numbers(filing: Filing, apps: list[App], subject_number: str) -> dict[int, str]:
    """Return the next free numbers in the subject's sequence for the filing's apps, in order."""
    taken = taken_sequences(filing, subject_number)
    numbers = {}
    next_free = max(taken, default=0) + 1
    for app in apps:
        numbers[app.pk] = f"{subject_number}-{next_free}{APP_SUFFIXES.get(app.kind, 'A')}"
        next_free += 1
    return numbers
