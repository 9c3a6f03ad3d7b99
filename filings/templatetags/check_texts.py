"""{{ result|said:"message" }}: a stored scan check's message or advice in the reader's language."""

from django import template

from filings.rules.scans import say

register = template.Library()


@register.filter
def said(result: dict, key: str) -> str:
    return say(result, key)
