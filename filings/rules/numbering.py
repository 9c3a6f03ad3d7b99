"""ICP numbers of a subject's websites and apps: one sequence per subject (…号-1, …号-2A, …号-3X)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from filings.exceptions import InvalidInput
from filings.formats.validators import (
    APP_SUFFIXES,
    icp_sequence,
    validate_icp_app_number,
    validate_icp_website_number,
)
from filings.models import App, Filing, Website


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


EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass
class SubjectNumbers:
    """The ICP numbers some subjects hold, read in three statements: each website's and app's number
    with its filing, and each filing's subject number with its publication time.

    Answers taken_sequences and published_subject_number for any filing of those subjects as the
    database would; an approval of many filings at once reads it once for all of them and records
    each approval's numbers in it, so that the next filing of the same subject sees them."""

    # subject id -> [(filing id, number)] of its websites and apps that hold one
    parts: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # subject id -> [(filing id, published_at, subject number)] of its filings that hold one
    subjects: dict[int, list[tuple[int, datetime | None, str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, subject_ids: Iterable[int]) -> "SubjectNumbers":
        ids = set(subject_ids)
        known = cls({pk: [] for pk in ids}, {pk: [] for pk in ids})
        for model in (Website, App):
            rows = (
                model.objects.filter(filing__subject_id__in=ids)
                .exclude(icp_number="")
                .order_by()
                .values_list("filing__subject_id", "filing_id", "icp_number")
            )
            for subject_id, filing_id, number in rows:
                known.parts[subject_id].append((filing_id, number))
        rows = (
            Filing.objects.filter(subject_id__in=ids, icp_number__gt="")
            .order_by()
            .values_list("subject_id", "pk", "published_at", "icp_number")
        )
        for subject_id, pk, published_at, number in rows:
            known.subjects[subject_id].append((pk, published_at, number))
        return known

    def taken_sequences(self, filing: Filing, subject_number: str) -> set[int]:
        """Return the sequence numbers the subject's other filings already hold under this number."""
        prefix = subject_number + "-"
        numbers = (n for pk, n in self.parts[filing.subject_id] if pk != filing.pk and n.startswith(prefix))
        return {n for n in map(icp_sequence, numbers) if n is not None}

    def published_subject_number(self, filing: Filing) -> str:
        """Return the ICP number the subject already holds from a published filing ("" if none)."""
        others = [row for row in self.subjects[filing.subject_id] if row[0] != filing.pk]
        if not others:
            return ""
        # As ORDER BY published_at DESC, id DESC reads them: PostgreSQL puts NULLs first when descending.
        latest = max(others, key=lambda row: (row[1] is None, row[1] or EARLIEST, row[0]))
        return latest[2]

    def record(self, filing: Filing, numbers: Iterable[str]) -> None:
        """Note an approval: the filing's subject number and its websites' and apps' numbers."""
        subject_id = filing.subject_id
        self.parts[subject_id] = [
            *(row for row in self.parts[subject_id] if row[0] != filing.pk),
            *((filing.pk, n) for n in numbers if n),
        ]
        self.subjects[subject_id] = [
            *(row for row in self.subjects[subject_id] if row[0] != filing.pk),
            (filing.pk, filing.published_at, filing.icp_number),
        ]


def default_numbers(
    filing: Filing,
    websites: list[Website],
    apps: list[App],
    subject_number: str,
    *,
    taken: set[int] | None = None,
) -> tuple[dict[int, str], dict[int, str]]:
    """Return the numbers the filing's websites and apps take: a number already held stays, the
    others take the places after the last one the subject's websites and apps hold, websites first
    (…号-2, …号-3A). A gap is not filled: it may be a number issued through another provider, or a
    cancelled site's. `taken` is taken_sequences when the caller has it."""
    taken = set(taken_sequences(filing, subject_number) if taken is None else taken)
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


def approved_numbers(
    filing: Filing,
    subject_number: str,
    websites: list[Website],
    apps: list[App],
    *,
    website_numbers: dict[int, str] | None = None,
    app_numbers: dict[int, str] | None = None,
    known: SubjectNumbers | None = None,
) -> tuple[dict[int, str], dict[int, str]]:
    """Return the numbers an approval gives the filing's websites and apps (those typed, else the
    defaults), or raise InvalidInput: the subject holds one number, each place of its sequence one
    website or app. `known` holds the subject's numbers when the caller has read them."""
    known = known or SubjectNumbers.read([filing.subject_id])
    held = known.published_subject_number(filing)
    if held and subject_number != held:
        message = _("该主体已有备案号 %(n)s,一个主体只有一个备案号,新网站和应用在其后顺延序号。") % {
            "n": held
        }
        raise InvalidInput(message, details={"icp_number": [message]})
    taken = known.taken_sequences(filing, subject_number)
    website_defaults, app_defaults = default_numbers(filing, websites, apps, subject_number, taken=taken)
    numbers = {w.pk: (website_numbers or {}).get(w.pk) or website_defaults[w.pk] for w in websites}
    app_numbers = {a.pk: (app_numbers or {}).get(a.pk) or app_defaults[a.pk] for a in apps}
    # Every wrong number at once, each named by its website or app.
    problems: dict[str, list[str]] = {}
    for item, number, key, check in [
        *((w, numbers[w.pk], "website_numbers", validate_icp_website_number) for w in websites),
        *((a, app_numbers[a.pk], "app_numbers", partial(validate_icp_app_number, kind=a.kind)) for a in apps),
    ]:
        try:
            check(number, subject_number=subject_number)
        except ValidationError as error:
            problems.setdefault(key, []).extend(f"{item.name}:{m}" for m in error.messages)
    if problems:
        first = next(iter(problems.values()))[0]
        count = sum(len(v) for v in problems.values())
        message = first if count == 1 else _("有 %(n)s 个备案号不正确。") % {"n": count}
        raise InvalidInput(message, details=problems)
    refuse_taken_sequences(
        filing,
        subject_number,
        [n for w in websites if (n := numbers[w.pk]) != w.icp_number],
        [n for a in apps if (n := app_numbers[a.pk]) != a.icp_number],
        held=[
            *(w.icp_number for w in websites if w.icp_number),
            *(a.icp_number for a in apps if a.icp_number),
        ],
        taken=taken,
    )
    return numbers, app_numbers


def refuse_taken_sequences(
    filing: Filing,
    subject_number: str,
    numbers: list[str],
    app_numbers: list[str],
    *,
    held: list[str],
    taken: set[int] | None = None,
) -> None:
    """Refuse new numbers that repeat one another or a number the filing's websites and apps already
    hold (-2 and -2A are one place in the subject's sequence), or whose place another of the
    subject's websites or apps holds (`taken`, when the caller has read it)."""
    if taken is None:
        taken = taken_sequences(filing, subject_number) if numbers or app_numbers else set()
    seen = {icp_sequence(n) for n in held}
    for number in [*numbers, *app_numbers]:
        sequence = icp_sequence(number)
        if sequence in seen or sequence in taken:
            field = "app_numbers" if number in app_numbers else "website_numbers"
            raise InvalidInput(
                _("备案号 %(n)s 的序号已被该主体的其他网站或应用使用。") % {"n": number},
                details={field: [_("请使用主体尚未使用的序号。")]},
            )
        seen.add(sequence)
