"""The filing page's repeated rows, written in Python as its template wrote them, each value
escaped: the inbox's alerts and decisions, and the open deadlines' table (a dozen template nodes a
row)."""

from datetime import datetime

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from filings.web.views.display import Countdown

ALERT = '<li class="alert-row {tone}">{unread}<span class="badge {tone}">{badge}</span> {title} <span class="muted">{at}</span>{link}</li>'
DEADLINE = (
    "\n      <tr><td>{label}</td><td>{stage}</td><td>{starts}</td><td>{due}{provisional}</td>\n"
    '      <td><span class="countdown{tone}">{text}</span></td></tr>\n    '
)


def shown_time(value: datetime | None) -> str:
    """Return a time as the template's |date:"Y-m-d H:i" printed it (in the reader's time zone)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def inbox_lines(rows: list[dict]) -> SafeString:
    """Return the inbox's rows (filing_detail._inbox_rows()), newest first as given."""
    escape = conditional_escape
    unread = f'<span class="badge warn">{escape(_("未读"))}</span> '
    return mark_safe(
        "".join(
            ALERT.format(
                tone=escape(row["tone"]),
                unread=unread if row["unread"] else "",
                badge=escape(row["badge"]),
                title=escape(row["title"]),
                at=shown_time(row["at"]),
                link=f' <a href="{escape(row["url"])}">{escape(row["action"])} →</a>' if row["url"] else "",
            )
            for row in rows
        )
    )


def deadline_lines(countdowns: list[Countdown]) -> SafeString:
    """Return the open deadlines' table rows, one a deadline's countdown."""
    escape = conditional_escape
    provisional = f' <span class="badge muted">{escape(_("暂定"))}</span>'
    return mark_safe(
        "".join(
            DEADLINE.format(
                label=escape(row.deadline.label),
                stage=escape(row.deadline.get_stage_display()),
                starts=shown_time(row.deadline.starts_at),
                due=shown_time(row.deadline.due_at),
                provisional=provisional if row.deadline.provisional else "",
                tone=" overdue" if row.overdue else " urgent" if row.urgent else "",
                text=escape(row.text),
            )
            for row in countdowns
        )
    )
