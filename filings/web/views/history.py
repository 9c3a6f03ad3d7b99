"""A filing's history as its page lists it: the events with their rounds, closed deadlines and
superseded material versions, newest first."""

from dataclasses import dataclass
from datetime import datetime

from filings.models import Deadline, FilingEvent, Material, Transition
from filings.rules.fields import field_label
from filings.rules.privacy import FIELD_MASKS
from filings.services.notifications import state_label
from filings.web.views import display


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
