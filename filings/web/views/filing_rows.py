"""The filing page's repeated rows, written in Python as its template wrote them, each value
escaped: the inbox's alerts and decisions, the open deadlines' table and the material slots (a
dozen template nodes a row)."""

from datetime import datetime

from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from filings.rules.scans import say
from filings.web.views.display import Countdown, MaterialSlot
from filings.web.views.queue_rows import minute

ALERT = '<li class="alert-row {tone}">{unread}<span class="badge {tone}">{badge}</span> {title} <span class="muted">{at}</span>{link}</li>'
DEADLINE = (
    "\n      <tr><td>{label}</td><td>{stage}</td><td>{starts}</td><td>{due}{provisional}</td>\n"
    '      <td><span class="countdown{tone}">{text}</span></td></tr>\n    '
)


def shown_time(value: datetime | None) -> str:
    """Return a time as the template's |date:"Y-m-d H:i" printed it (in the reader's time zone)."""
    return minute(value) if value else ""


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


def slot_lines(filing_id: int, slots: list[MaterialSlot]) -> SafeString:
    """Return the material slots' items: each slot's latest version and what its checks found."""
    escape = conditional_escape
    missing = f'<span class="badge fail">{escape(_("未上传"))}</span>'
    lines = []
    for slot in slots:
        latest = slot.latest
        kind_anchor = f'<span id="{escape(slot.kind_anchor)}"></span>' if slot.kind_anchor else ""
        badge = (
            f'<span class="badge {escape(slot.status)}">{escape(latest.get_check_status_display())}</span>'
            if latest
            else missing
        )
        shown = (
            f"\n      {_version_line(filing_id, slot)}\n      {_check_results(latest)}\n      "
            if latest
            else ""
        )
        lines.append(
            f'\n    <li class="slot {escape(slot.status)}" id="{escape(slot.anchor)}">{kind_anchor}\n'
            f'      <div class="slot-head"><strong>{escape(slot.label)}</strong>\n'
            f"        {badge}</div>\n"
            f"      {shown}\n"
            "    </li>\n  "
        )
    return mark_safe("".join(lines))


def _version_line(filing_id: int, slot: MaterialSlot) -> str:
    escape = conditional_escape
    material = slot.latest
    url = escape(reverse("filings:material-download", args=[filing_id, material.pk]))
    line = f'<p class="muted"><a href="{url}">{_("第%(v)s版") % {"v": escape(material.version)}}</a>'
    line += f" · {shown_time(material.uploaded_at)}"
    if material.dpi:
        line += f" · {escape(material.dpi)} dpi"
    if len(slot.versions) > 1:
        earlier = len(slot.versions) - 1
        words = ngettext("另有 %(n)s 个早先版本", "另有 %(n)s 个早先版本", earlier) % {"n": earlier}
        line += f' · <a href="?history=1#history">{words}</a>'
    return line + "</p>"


def _check_results(material) -> str:
    if material.check_status == "pass":
        return ""
    escape = conditional_escape
    items = "".join(
        '<li class="{}"><strong>{}</strong>{}</li>'.format(
            escape(result.get("status", "")),
            escape(say(result, "message")),
            f" {escape(say(result, 'advice'))}" if result.get("advice") else "",
        )
        for result in material.check_results
        if result.get("status", "") != "pass"
    )
    return f'<ul class="check-results">{items}</ul>'
