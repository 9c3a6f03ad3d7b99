"""A queue page's rows, written as table rows from plain values: the words rows repeat (type,
province, deadline, urgency) are translated once per page."""

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from filings.models import Deadline, Filing, Province
from filings.models.deadlines import deadline_label
from filings.reads import queues
from filings.reads.estimates import PublicationEstimator


def minute(moment: datetime) -> str:
    """Return the moment in local time as the pages print it (the `date:"Y-m-d H:i"` filter's text)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# A publication estimate in a row's cell: the date, and under it what it is based on.
EXPECTED = '{}<br><small class="muted">{}</small>'


def url_for_each(name: str, kwarg: str) -> Callable[[int], str]:
    """Return a function giving the named address for an id, reversed once per page: a reverse
    costs 20-40 µs, and a page of 25 rows with two links each made 50."""
    marker = 987654321
    before, after = reverse(name, kwargs={kwarg: marker}).split(str(marker))
    return lambda pk: f"{before}{int(pk)}{after}"


def page_words() -> dict[str, str]:
    """Return the words every row may show, translated once."""
    return {"provisional": _("暂定"), "mine": _("我的"), "claim": _("认领")}


def province_options(provinces: Iterable[Province], *, chosen: str | None) -> SafeString:
    """Return a province filter's options (the chosen code selected), written once per page rather
    than an option at a time by the template engine."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (province.code, mark_safe(" selected") if province.code == chosen else "", _(province.name))
            for province in provinces
        ),
    )


QUEUE_ROW = (
    '<tr class="{urgency}">\n'
    '  <td><a href="{url}">{subject}</a> <span class="tag">{type}</span></td>\n'
    "  <td>{province}</td>\n"
    '  <td>{due}{provisional}<br><small class="muted">{limit}</small></td>\n'
    '  <td><span class="mark {urgency}">{mark}</span></td>\n'
    "  <td>{reviewer}</td>\n"
    "  <td>{expected}</td>\n"
    "  <td>{claim}</td>\n"
    "</tr>"
)


def queue_rows(
    deadlines: list[dict], *, estimator: PublicationEstimator, user: Any, now: datetime, today: date
) -> list[SafeString]:
    """Return a queue page's rows (dicts of queues.ROW_VALUES) as table rows: 25 rows of a dozen
    values through the template engine cost more than the page's queries."""
    type_label = functools.cache(lambda value: str(Filing.Type(value).label))
    province_label = functools.cache(lambda province_id: _(estimator.provinces[province_id].short_name))
    limit_label = functools.cache(lambda kind, days: deadline_label(Deadline.Kind(kind).label, days))
    mark = functools.cache(lambda urgency: str(queues.URGENCY_MARKS[urgency]))
    review_url = url_for_each("filings:review-filing", "filing_id")
    claim_url = url_for_each("filings:review-claim", "filing_id")
    words = page_words()
    provisional = format_html(' <span class="badge warn">{}</span>', words["provisional"])
    claim_button = '<button type="submit" form="claim" formaction="{}">{}</button>'
    rows = []
    for row in deadlines:
        filing_id, province_id = row["filing_id"], row["filing__province_id"]
        urgency = queues.urgency_of(row["kind"], row["due_at"], now=now)
        expected = estimator.expect_for(
            estimator.provinces[province_id],
            row["filing__state"],
            row["filing__stage_entered_at"],
            today=today,
        )
        rows.append(
            format_html(
                QUEUE_ROW,
                urgency=urgency,
                url=review_url(filing_id),
                subject=row["filing__subject__name"],
                type=type_label(row["filing__filing_type"]),
                province=province_label(province_id),
                due=minute(row["due_at"]),
                provisional=provisional if row["provisional"] else "",
                limit=limit_label(row["kind"], row["workdays"]),
                mark=mark(urgency),
                reviewer=(
                    (row["filing__reviewer__display_name"] or row["filing__reviewer__username"])
                    if row["filing__reviewer_id"]
                    else "—"
                ),
                expected=(
                    format_html(EXPECTED, expected.date.isoformat(), expected.basis) if expected else "—"
                ),
                claim=(
                    words["mine"]
                    if row["filing__reviewer_id"] == user.pk
                    else format_html(claim_button, claim_url(filing_id), words["claim"])
                ),
            )
        )
    return rows
