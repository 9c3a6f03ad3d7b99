"""The filing list's cards as plain values: the words cards repeat (type, province, deadline kind)
are translated once per page, the links reversed once and the times formatted in Python, so the
card template only prints."""

import functools
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from filings.models import Deadline, Filing
from filings.models.deadlines import deadline_label
from filings.web.views import display
from filings.web.views.queue_rows import minute, url_for_each


def card_rows(
    filings: list[Filing], *, user: Any, unread_alerts: dict[int, int], now: datetime
) -> list[dict[str, Any]]:
    """Return what each card of the filing list shows."""
    type_label = functools.cache(lambda value: str(Filing.Type(value).label))
    province_label = functools.cache(lambda short_name: _(short_name))
    limit_label = functools.cache(lambda kind, days: deadline_label(Deadline.Kind(kind).label, days))
    progress_bar = display.progress_bars_for_page()
    detail_url = url_for_each("filings:detail", "filing_id")
    rows = []
    for filing in filings:
        returned = display.returned_by(filing, filing.last_round_transition)
        countdown = display.next_deadline(filing.open_deadlines, now)
        deadline = countdown.deadline if countdown else None
        rows.append(
            {
                "filing": filing,
                "url": detail_url(filing.pk),
                "subject": filing.subject.name,
                "first_app_name": filing.first_app_name,
                "type": type_label(filing.filing_type),
                "province": province_label(filing.province.short_name),
                "progress_bar": progress_bar(filing, returned),
                "deadline": countdown
                and {
                    "text": countdown.text,
                    "overdue": countdown.overdue,
                    "urgent": countdown.urgent,
                    "label": limit_label(deadline.kind, deadline.workdays),
                    "due": minute(deadline.due_at),
                    "provisional": deadline.provisional,
                },
                # The next step speaks to the filing's principal; staff reading the list are not asked.
                "next_step": (
                    display.next_step(filing, returned, filing.open_deadlines)
                    if filing.assignee_id == user.pk
                    else ""
                ),
                "updated": minute(filing.updated_at),
                "unread_alerts": unread_alerts.get(filing.pk, 0),
            }
        )
    return rows
