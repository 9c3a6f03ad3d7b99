"""The pre-review page's repeated rows, written in Python as its templates wrote them, each value
escaped: the reasons form's catalogued reasons and fields (return, failed SMS, bureau rejection;
some 80 rows of template nodes were a seventh of the page's work), the checks' results and the
history."""

import functools

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from filings.models import FilingEvent, RejectionReason
from filings.rules.checks import Checklist
from filings.rules.fields import SECTIONS, field_choices, field_label
from filings.web.views.queue_rows import minute

REASON = (
    '<label data-reason-option><input type="checkbox" name="codes" value="{code}"> {reason} '
    '<small class="muted">({field})</small></label>'
)
GROUP = '<fieldset class="reason-group"><legend>{section}</legend>\n      {reasons}\n    </fieldset>'
OPTION = '<option value="{value}">{group} · {label}</option>'
RESULT = '<li><span class="badge {status}">{label}</span> {message}{fix}</li>'


def catalogue_by_section(
    catalogue: list[RejectionReason], sections: tuple[str, ...]
) -> list[tuple[str, list[dict]]]:
    """Return the catalogued reasons a filing of a type can be returned for (those naming its sections,
    materials or steps), grouped by the section of the field each names, with its label."""
    groups: dict[str, list[dict]] = {}
    for reason in catalogue:
        section = reason.field.partition(".")[0]
        if section in SECTIONS and section not in sections:
            continue
        label = field_label(reason.field)
        groups.setdefault(label.split(" · ")[0], []).append({"reason": reason, "field_label": label})
    return list(groups.items())


def reason_groups_html(groups: list[tuple[str, list[dict]]]) -> SafeString:
    """Return the catalogue's checkboxes, one fieldset a section (catalogue_by_section())."""
    escape = conditional_escape
    return mark_safe(
        "".join(
            GROUP.format(
                section=escape(section),
                reasons="".join(
                    REASON.format(
                        code=escape(item["reason"].code),
                        reason=escape(item["reason"].reason),
                        field=escape(item["field_label"]),
                    )
                    for item in items
                ),
            )
            for section, items in groups
        )
    )


def field_options(sections: tuple[str, ...]) -> SafeString:
    """Return the field select's options for a filing type's return sections in the reader's
    language: written from the code's field names alone, so once a process for each."""
    return _field_options(sections, get_language())


@functools.cache
def _field_options(sections: tuple[str, ...], language: str) -> SafeString:
    return field_options_html(field_choices(sections))


def field_options_html(choices: list[tuple[str, list[tuple[str, str]]]]) -> SafeString:
    """Return the field select's options: none chosen first, then one group a section (field_choices())."""
    escape = conditional_escape
    parts = [f'<option value="">{escape(_("不指定字段"))}</option>'] if choices else []
    for group, options in choices:
        group = escape(group)
        parts.append(f'<optgroup label="{group}">')
        parts.extend(
            OPTION.format(value=escape(value), group=group, label=escape(label)) for value, label in options
        )
        parts.append("</optgroup>")
    return mark_safe("".join(parts))


def checklist_lines(checklist: Checklist) -> SafeString:
    """Return the checks' results the page lists: those not passed, and the prior approvals'."""
    escape = conditional_escape
    return mark_safe(
        "".join(
            RESULT.format(
                status=escape(r.status),
                label=escape(r.status_label),
                message=escape(r.message),
                fix=f" — {escape(r.fix)}" if r.fix else "",
            )
            for r in checklist.results
            if r.status != "pass" or r.code == "prior_approval"
        )
    )


def history_lines(events: list[tuple[str, FilingEvent]]) -> SafeString:
    """Return the history's lines, one an (label, event), newest first as given."""
    escape = conditional_escape
    system = escape(_("系统"))
    lines = []
    for label, event in events:
        line = f"<li>{minute(event.at)} · {escape(event.actor) if event.actor else system} · {escape(label)}"
        if event.from_state != event.to_state:
            line += f"({escape(event.get_from_state_display())} → {escape(event.get_to_state_display())})"
        if event.comment:
            line += f" · {escape(event.shown_comment)}"
        line += "\n    "
        if event.reasons and event.transition != "edit":
            reasons = "".join(
                "<li>{}{}</li>".format(
                    escape(_value(r, "reason")),
                    f" — {escape(r['suggested_fix'])}" if _value(r, "suggested_fix") else "",
                )
                for r in event.shown_reasons
            )
            line += f"<ul>{reasons}</ul>"
        lines.append(line + "</li>")
    return mark_safe("".join(lines))


def _value(reason, key: str):
    """Return what the template printed for reason.key: the entry of a dict, nothing for a plain text."""
    return reason.get(key, "") if isinstance(reason, dict) else ""
