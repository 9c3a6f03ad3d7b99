"""What the filing pages share: a refusal shown as a message on the page it came from, and a
return's reasons with links to the fields they name."""

from django.contrib import messages
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _

from filings.exceptions import BeianError
from filings.models import Filing, FilingEvent
from filings.rules.fields import field_label
from filings.web.views import display


def error_message(error: BeianError) -> str:
    """Return the error's message for a page, with a link to the open filing it names, if any."""
    open_filing = getattr(error, "open_filing", None)
    if open_filing is None:
        return str(error.message)
    return format_html(
        '{} <a href="{}">{}</a>', error.message, open_filing.get_absolute_url(), _("查看该备案")
    )


def refused(request, error: BeianError, template: str, context: dict):
    """Render the page again with the error's message and its 4xx status."""
    messages.error(request, error_message(error))
    return render(request, template, context, status=error.status_code)


def reasons_with_links(filing: Filing, event: FilingEvent | None) -> list[dict]:
    """Return the reasons of a return or rejection, each with its field's label and a link to fix it."""
    if event is None:
        return []
    return [
        {
            **reason,
            "url": display.fix_url(filing, reason.get("field", "")),
            "field_label": field_label(reason.get("field", "")),
        }
        for reason in event.shown_reasons
        if isinstance(reason, dict) and reason.get("reason")
    ]
