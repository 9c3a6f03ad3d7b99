"""The reviewer's reasons form (return, failed SMS, bureau rejection): its catalogued reasons and
the fields a reason can name, written in Python as the form's template wrote them, each value
escaped (some 80 rows of template nodes were a seventh of the pre-review page's work)."""

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from filings.models import RejectionReason
from filings.rules.fields import SECTIONS, field_label

REASON = (
    '<label data-reason-option><input type="checkbox" name="codes" value="{code}"> {reason} '
    '<small class="muted">({field})</small></label>'
)
GROUP = '<fieldset class="reason-group"><legend>{section}</legend>\n      {reasons}\n    </fieldset>'
OPTION = '<option value="{value}">{group} · {label}</option>'


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
