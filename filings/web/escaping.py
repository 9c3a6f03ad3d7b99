"""Escaping for the pages' hand-written HTML (list rows, cards, options): what conditional_escape
returns, in a few calls instead of some sixteen (its checks for lazy arguments), for the thousands
of values a list page prints."""

import html

from django.utils.safestring import SafeData


def escaped(value: object) -> str:
    """Return the value as HTML text: escaped, unless already marked safe (as conditional_escape)."""
    if isinstance(value, SafeData):
        return value.__html__()
    return html.escape(str(value))
