"""What every form of the filing pages shares: refused control characters, and rows that screen
readers can follow."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from filings.formats.validators import control_character_checks
from filings.web.escaping import escaped

DATE_INPUT = {"type": "date"}


class ListSelect(forms.Select):
    """A flat select written without the widget templates: the list filters render one on every
    list page, and a province select's 35 options through the template engine cost more than the
    rows it filters. Same HTML as Django's select (no groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        # Escaped as the template escapes them (format_html costs some twenty calls an option, and a
        # province select has 35).
        options = "".join(
            f'\n  <option value="{escaped(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escaped(label)}</option>"
            for key, label in self.choices
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),  # noqa: S308 (every value above is escaped)
        )


class PlainInputMixin:
    """An input written in Python instead of through the widget templates (a template, an include
    and a loop over the attributes for each input): the list filters' text fields and checkbox, and
    the filing page's small forms. Same HTML as Django's input template (attributes in their order)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        # Each value escaped as format_html escapes it (it costs some twenty calls a value).
        shown = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
        attributes = "".join(
            f" {escaped(key)}" if attribute is True else f' {escaped(key)}="{escaped(attribute)}"'
            for key, attribute in widget["attrs"].items()
            if attribute is not False
        )
        return mark_safe(  # noqa: S308 (every value above is escaped)
            f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"{shown}{attributes}>'
        )


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class PlainCheckboxInput(PlainInputMixin, forms.CheckboxInput):
    pass


class PlainDateInput(PlainInputMixin, forms.DateInput):
    pass


def refuse_control_characters(fields: dict[str, forms.Field], *, multiline: tuple[str, ...] = ()) -> None:
    """Refuse control characters in every text field; text areas and `multiline` keep line breaks.

    Ours replaces Django's own refusal of a NUL byte, which would otherwise stand beside it as a
    second message saying the same."""
    for name, field in fields.items():
        if isinstance(field, forms.CharField):
            lines = name in multiline or isinstance(field.widget, forms.Textarea)
            field.validators = control_character_checks(field.validators, multiline=lines)


class RefusesControlCharacters:
    """A form whose text fields refuse control characters (refuse_control_characters); the fields
    named in `multiline` keep line breaks."""

    multiline: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self.fields, multiline=self.multiline)


class AccessibleFormMixin(RefusesControlCharacters):
    """Give every control the ids of its help text and errors, so screen readers announce them."""

    row_exclude: tuple[str, ...] = ("DELETE",)

    def rows(self) -> list[dict]:
        rows = []
        for bound in self.visible_fields():
            if bound.name in self.row_exclude:
                continue
            help_id = f"{bound.auto_id}-help" if bound.help_text else ""
            error_id = f"{bound.auto_id}-errors" if bound.errors else ""
            notes = getattr(self, "attention", {}).get(bound.name, [])
            notes_id = f"{bound.auto_id}-notes" if notes else ""
            described = " ".join(i for i in (help_id, error_id, notes_id) if i)
            attrs = bound.field.widget.attrs
            if described:
                attrs["aria-describedby"] = described
            if bound.errors:
                attrs["aria-invalid"] = "true"
            if bound.field.required:
                attrs["aria-required"] = "true"
            rows.append(
                {
                    "field": bound,
                    "help_id": help_id,
                    "error_id": error_id,
                    "notes": notes,
                    "notes_id": notes_id,
                    "wide": isinstance(bound.field.widget, forms.Textarea),
                    "checkbox": isinstance(bound.field.widget, forms.CheckboxInput),
                }
            )
        return rows

    def flag(self, name: str, message: str) -> None:
        """Mark a field the reviewer or a check named, with the reason to show beside it."""
        self.attention = getattr(self, "attention", {})
        if name in self.fields:
            self.attention.setdefault(name, []).append(message)

    @property
    def flagged(self) -> bool:
        return bool(getattr(self, "attention", {}))
