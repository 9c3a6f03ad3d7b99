"""The rows of the dashboard's deadline and open-filing lists, written as table rows from plain
values: 50 rows of a dozen cells through the template engine cost more than the rest of the page.
The words rows repeat (province, stage, deadline, urgency, the cells' labels) are translated and
escaped once per page, and a row is one str.format of escaped values (format_html escaped its
dozen arguments again in every row)."""

import functools
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from filings.kinds.states import State
from filings.models import Deadline, Filing
from filings.models.deadlines import deadline_label
from filings.reads import queues
from filings.reads.estimates import PublicationEstimator
from filings.web.views.queue_rows import EXPECTED, minute, url_for_each

DEADLINE_ROW = (
    '<tr class="{urgency}"><td class="subject"><a href="{url}">{subject}</a></td>'
    '<td class="nowrap" data-label="{province_word}">{province}</td>'
    '<td class="nowrap" data-label="{stage_word}">{stage}</td>'
    '<td data-label="{deadline_word}">{kind}</td>\n'
    '      <td class="nowrap" data-label="{due_word}">{due}{provisional} <span class="mark {urgency}">{mark}</span></td>\n'
    '      <td data-label="{expected_word}">{expected}<br><small class="muted">{basis}</small></td></tr>'
)
OPEN_ROW = (
    '<tr><td><a href="{url}">{subject}</a></td><td>{type}</td><td>{province}</td><td>{stage}</td>'
    "<td>{entered}</td>\n  <td>{expected}</td></tr>"
)


def _escaped(label):
    """Return a function that gives label(*args) escaped, once for each distinct argument."""
    return functools.cache(lambda *args: conditional_escape(label(*args)))


def _stage_label(state: str) -> str:
    return str(State(state).label)


def deadline_words() -> dict[str, str]:
    """Return the column names a deadline table shows in its header and in each cell's label."""
    return {
        "province_word": _("省份"),
        "stage_word": _("阶段"),
        "deadline_word": _("截止"),
        "due_word": _("截止时间"),
        "expected_word": _("预计公示"),
    }


def deadline_rows(
    deadlines: Iterable[dict], *, words: dict[str, str], estimator: PublicationEstimator, now: datetime
) -> list[SafeString]:
    """Return a deadline list's rows (dicts of dashboard.DEADLINE_ROW_VALUES) as table rows, with the
    column names of deadline_words()."""
    detail_url = url_for_each("filings:detail", "filing_id")
    provisional = format_html(' <span class="badge warn">{}</span>', _("暂定"))
    province_label = _escaped(lambda province_id: _(estimator.provinces[province_id].short_name))
    stage_label = _escaped(_stage_label)
    limit_label = _escaped(lambda kind, days: deadline_label(Deadline.Kind(kind).label, days))
    mark = _escaped(lambda urgency: str(queues.URGENCY_MARKS[urgency]))
    words = {key: conditional_escape(word) for key, word in words.items()}
    today = timezone.localdate()
    rows = []
    for row in deadlines:
        province_id = row["province_id"]
        expected = estimator.expect_for(
            estimator.provinces[province_id],
            row["filing__state"],
            row["filing__stage_entered_at"],
            today=today,
        )
        urgency = queues.urgency_of(row["kind"], row["due_at"], now=now)
        rows.append(
            mark_safe(  # noqa: S308 - every value is escaped, or an integer, a date or a code
                DEADLINE_ROW.format(
                    urgency=urgency,
                    url=detail_url(row["filing_id"]),
                    subject=conditional_escape(row["filing__subject__name"]),
                    province=province_label(province_id),
                    stage=stage_label(row["filing__state"]),
                    kind=limit_label(row["kind"], row["workdays"]),
                    due=minute(row["due_at"]),
                    provisional=provisional if row["provisional"] else "",
                    mark=mark(urgency),
                    expected=expected.date.isoformat() if expected else "—",
                    basis=conditional_escape(expected.basis) if expected else "",
                    **words,
                )
            )
        )
    return rows


def open_rows(filings: Iterable[dict], *, estimator: PublicationEstimator) -> list[SafeString]:
    """Return the open-filing list's rows (dicts of dashboard.OPEN_FILING_VALUES) as table rows."""
    detail_url = url_for_each("filings:detail", "filing_id")
    province_label = _escaped(lambda province_id: _(estimator.provinces[province_id].short_name))
    stage_label = _escaped(_stage_label)
    type_label = _escaped(lambda value: str(Filing.Type(value).label))
    today = timezone.localdate()
    rows = []
    for filing in filings:
        province_id = filing["province_id"]
        expected = estimator.expect_for(
            estimator.provinces[province_id], filing["state"], filing["stage_entered_at"], today=today
        )
        rows.append(
            mark_safe(  # noqa: S308 - every value is escaped, or an integer, a date or a code
                OPEN_ROW.format(
                    url=detail_url(filing["id"]),
                    subject=conditional_escape(filing["subject__name"]),
                    type=type_label(filing["filing_type"]),
                    province=province_label(province_id),
                    stage=stage_label(filing["state"]),
                    entered=minute(filing["stage_entered_at"]),
                    expected=EXPECTED.format(expected.date.isoformat(), conditional_escape(expected.basis))
                    if expected
                    else "—",
                )
            )
        )
    return rows
