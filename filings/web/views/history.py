"""A filing's history as its page lists it: the events with their rounds, closed deadlines and
superseded material versions, newest first."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from filings.models import Deadline, FilingEvent, Material, Transition
from filings.rules.fields import field_label
from filings.rules.privacy import FIELD_MASKS
from filings.services.notifications import state_label
from filings.web.views import display
from filings.web.views.queue_rows import minute


def timeline(events: list[FilingEvent]) -> list[dict]:
    """Return the history rows with the submission round each belongs to."""
    rows, round_number = [], 0
    for event in events:
        if event.transition == Transition.SUBMIT:
            round_number += 1
        changed = []
        reasons = []
        replaced = []
        if event.transition == "change_applied":
            replaced = [_replaced_row(r) for r in event.reasons if isinstance(r, dict)]
        elif event.transition == "edit":
            # Edit rows hold old and new values; the timeline names the fields only.
            changed = [display.change_label(c.get("field", "")) for c in event.reasons if isinstance(c, dict)]
        else:
            reasons = [
                {**r, "field_label": field_label(r.get("field", ""))}
                for r in event.shown_reasons
                if isinstance(r, dict) and r.get("reason")
            ]
        rows.append(
            {
                "event": event,
                "label": display.event_label(event),
                # Not get_FOO_display(), which translates every stage to find one.
                "from_label": state_label(event.from_state),
                "to_label": state_label(event.to_state),
                "round": round_number,
                "changed": changed,
                "replaced": replaced,
                "reasons": reasons,
                "is_return": event.transition in display.RETURN_TRANSITIONS,
            }
        )
    return rows


def _replaced_row(row: dict) -> dict:
    mask = FIELD_MASKS.get(str(row.get("field", "")).rpartition(".")[2])
    old, new = str(row.get("old", "")), str(row.get("new", ""))
    if mask:
        old, new = mask(old), mask(new)
    return {"section": row.get("section", ""), "label": row.get("label", ""), "old": old, "new": new}


HISTORY_PAGE_SIZE = 10


@dataclass
class HistoryEntry:
    """One line of a filing's history: an event, a closed deadline or a superseded material version."""

    at: datetime
    kind: str  # "event", "deadline", "material"
    event: dict | None = None
    deadline: Deadline | None = None
    material: Material | None = None
    slot_label: str = ""
    html: str = ""  # an event's line, written by with_event_lines()


def history(
    events: list[FilingEvent], deadlines: list[Deadline], slots: list[display.MaterialSlot]
) -> list[HistoryEntry]:
    """Return what no longer needs attention, newest first: the events (an upload shows as the
    material version it made, so it is listed once), closed deadlines and superseded versions."""
    entries = [
        HistoryEntry(at=row["event"].at, kind="event", event=row)
        for row in timeline(events)
        if row["event"].transition != "upload"
    ]
    entries += [HistoryEntry(at=d.closed_at, kind="deadline", deadline=d) for d in deadlines if d.closed_at]
    entries += [
        HistoryEntry(at=m.uploaded_at, kind="material", material=m, slot_label=slot.label)
        for slot in slots
        for m in slot.versions[1:]
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def with_event_lines(entries: Iterable[HistoryEntry]) -> None:
    """Write the lines of the events among the entries (a page of the history) as the filing page's
    template wrote them, each value escaped: an event's dozen template nodes were most of the
    history's cost."""
    words = {
        "system": conditional_escape(_("系统")),
        "separator": conditional_escape(pgettext("list separator", "、")),
        "changed": conditional_escape(_("修改的字段:")),
    }
    for entry in entries:
        if entry.kind == "event":
            entry.html = _event_line(entry.event, words)


def _event_line(row: dict, words: dict[str, str]) -> SafeString:
    escape = conditional_escape
    event = row["event"]
    head = f"<strong>{escape(row['label'])}</strong>"
    if event.from_state != event.to_state and event.from_state:
        head += f' <span class="muted">{escape(row["from_label"])} → {escape(row["to_label"])}</span>'
    if row["round"]:
        head += f' <span class="tag">{_("第%(n)s轮") % {"n": escape(row["round"])}}</span>'
    at = minute(event.at)
    actor = escape(event.actor) if event.actor else words["system"]
    comment = f"<p>{escape(event.shown_comment)}</p>" if event.comment else ""
    reasons = replaced = changed = ""
    if row["reasons"]:
        reasons = "".join(
            "<li>{}{}{}</li>".format(
                f"{escape(r['field_label'])}:" if r.get("field") else "",
                escape(r.get("reason", "")),
                f"({escape(r['suggested_fix'])})" if r.get("suggested_fix") else "",
            )
            for r in row["reasons"]
        )
        reasons = f'<ul class="reason-list">{reasons}</ul>'
    if row["replaced"]:
        replaced = "".join(
            f"<li>{escape(r['section'])} · {escape(r['label'])}:<del>{escape(r['old'])}</del> → "
            f"<ins>{escape(r['new'])}</ins></li>"
            for r in row["replaced"]
        )
        replaced = f'<ul class="reason-list">{replaced}</ul>'
    if row["changed"]:
        fields = words["separator"].join(escape(label) for label in row["changed"])
        changed = f'<p class="muted">{words["changed"]}{fields}</p>'
    return mark_safe(
        f'\n    <li class="{"returned" if row["is_return"] else ""}">\n'
        f"      <div>{head}</div>\n"
        f'      <div class="muted">{at} · {actor}</div>\n'
        f"      {comment}\n"
        f"      {reasons}\n"
        f"      {replaced}\n"
        f"      {changed}\n"
        "    </li>\n    "
    )
