"""A queue page's rows, written as table rows from plain values: the words rows repeat (type,
province, deadline, urgency) are translated once per page."""

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from config.per_language import name_translator, translated_name
from filings.models import Deadline, Filing, Province
from filings.models.deadlines import deadline_label
from filings.reads import queues
from filings.reads.estimates import PublicationEstimator
from filings.web.escaping import escaped


def minute(moment: datetime, tz: tzinfo | None = None) -> str:
    """Return the moment in local time as the pages print it (the `date:"Y-m-d H:i"` filter's text);
    a page of rows passes the current time zone once instead of looking it up for each."""
    return timezone.localtime(moment, tz).strftime("%Y-%m-%d %H:%M")


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
    than an option at a time by the template engine; each code and name is escaped once."""
    translated = name_translator()
    return mark_safe(
        "".join(
            '<option value="{}"{}>{}</option>'.format(
                escaped(province.code),
                " selected" if province.code == chosen else "",
                escaped(translated(province.name)),
            )
            for province in provinces
        )
    )


def queue_tabs(sizes: dict[str, int], *, current: str, cap: int) -> SafeString:
    """Return the queues' tabs, each with how many rows it lists ("1000+" beyond the cap), the
    current one marked: written once per page rather than four links through the template engine."""
    link = '<a href="{}"{}>{} ({})</a>'
    return mark_safe(
        "".join(
            link.format(
                reverse("filings:review-queue", kwargs={"queue": queue.slug}),
                ' aria-current="page"' if queue.slug == current else "",
                conditional_escape(str(queue.label)),
                f"{cap}+" if sizes.get(queue.slug, 0) > cap else sizes.get(queue.slug, 0),
            )
            for queue in queues.QUEUES.values()
        )
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
    values through the template engine cost more than the page's queries.

    Each text a row prints is escaped once: a subject's name in its row, the words rows share (type,
    province, deadline, urgency, estimate, reviewer) once per page. The rest is made of digits and
    fixed words (addresses built from ids, times, class names). Through format_html, which escapes
    every value of every row again, 25 rows escaped some 350 values a page."""
    tz = timezone.get_current_timezone()

    def escaped_once(label: Callable[..., Any]) -> Callable[..., str]:
        return functools.cache(lambda *key: escaped(str(label(*key))))

    type_label = escaped_once(lambda value: Filing.Type(value).label)
    province_label = escaped_once(
        lambda province_id: translated_name(estimator.provinces[province_id].short_name)
    )
    limit_label = escaped_once(lambda kind, days: deadline_label(Deadline.Kind(kind).label, days))
    mark = escaped_once(lambda urgency: queues.URGENCY_MARKS[urgency])
    reviewer_name = escaped_once(lambda display_name, username: display_name or username)
    expected_cell = functools.cache(
        lambda expected: EXPECTED.format(expected.date.isoformat(), conditional_escape(expected.basis))
    )
    review_url = url_for_each("filings:review-filing", "filing_id")
    claim_url = url_for_each("filings:review-claim", "filing_id")
    words = {key: conditional_escape(word) for key, word in page_words().items()}
    provisional = f' <span class="badge warn">{words["provisional"]}</span>'
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
            mark_safe(
                QUEUE_ROW.format(
                    urgency=urgency,
                    url=review_url(filing_id),
                    subject=escaped(row["filing__subject__name"]),
                    type=type_label(row["filing__filing_type"]),
                    province=province_label(province_id),
                    due=minute(row["due_at"], tz),
                    provisional=provisional if row["provisional"] else "",
                    limit=limit_label(row["kind"], row["workdays"]),
                    mark=mark(urgency),
                    reviewer=(
                        reviewer_name(
                            row["filing__reviewer__display_name"], row["filing__reviewer__username"]
                        )
                        if row["filing__reviewer_id"]
                        else "—"
                    ),
                    expected=expected_cell(expected) if expected else "—",
                    claim=(
                        words["mine"]
                        if row["filing__reviewer_id"] == user.pk
                        else claim_button.format(claim_url(filing_id), words["claim"])
                    ),
                )
            )
        )
    return rows
