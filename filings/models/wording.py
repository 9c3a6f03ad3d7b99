"""Texts the system writes into the data, kept as their untranslated source and parameters so that
each reader sees them in their own language (history comments, reasons, footer check problems)."""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

# A stored source is {"id": msgid, "params": {name: value}}; a value is a plain value (a name, a
# number, a URL: never translated) or itself a source (a translated part, such as a label).


@dataclass(frozen=True)
class Said:
    """A text to store as its source: str() gives it in the active language."""

    msgid: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return say(self.source, self.msgid)

    @property
    def source(self) -> dict:
        return {"id": self.msgid, "params": {k: _source(v) for k, v in self.params.items()}}


def said(msgid: str, **params) -> Said:
    """Return msgid (marked for the catalogue with gettext_noop by the caller) with its parameters."""
    return Said(msgid, params)


def _source(value):
    if isinstance(value, Said):
        return value.source
    if isinstance(value, Promise):
        # A lazy label (a choice's): with no language active it gives its msgid.
        with translation.override(None):
            return {"id": str(value), "params": {}}
    if isinstance(value, str | int | float) or value is None:
        return value
    return str(value)


def say(source: dict, default: str = "") -> str:
    """Return a stored source in the active language, or `default` when it cannot be said."""
    if not is_source(source):
        return default
    try:
        return _say(source)
    except (KeyError, ValueError, TypeError, RecursionError):
        return default


def is_source(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and bool(value["id"])


def _say(source: dict) -> str:
    text = gettext(source["id"])
    params = source.get("params") or {}
    if not isinstance(params, dict):
        raise TypeError("params must be a mapping")
    shown = {key: _say(value) if is_source(value) else value for key, value in params.items()}
    if "%(" in text:
        text = text % shown
    # The reviewers' catalogue names its waiting times as {code} (filings.rules.durations).
    for key, value in shown.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def text_and_source(text: "str | Said") -> tuple[str, dict]:
    """Return the words to store (in the active language) and the source, empty for a person's text."""
    if isinstance(text, Said):
        return str(text), text.source
    return str(text), {}


def shown_reason(reason: dict) -> dict:
    """Return a stored reason with its texts said in the active language where it has their source."""
    shown = dict(reason)
    for key in ("reason", "suggested_fix"):
        if is_source(reason.get(f"{key}_source")):
            shown[key] = say(reason[f"{key}_source"], str(reason.get(key, "")))
    return shown


def reason_part(key: str, text: "str | Said") -> dict:
    """Return a reason's "reason" or "suggested_fix" to store, with its source for the system's text."""
    words, source = text_and_source(text)
    return {key: words, f"{key}_source": source} if source else {key: words}
