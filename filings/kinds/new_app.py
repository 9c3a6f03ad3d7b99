"""APP备案: apps, mini-programs and quick apps, numbered -NA / -NX / -NK in the subject's sequence; the
subject may already be published or file with its first app."""

from django.utils.translation import gettext_lazy as _

from filings.kinds.base import APP_SECTIONS, FilingKind, Words
from filings.kinds.registry import register

NEW_APP = register(
    FilingKind(
        code="new_app",
        made_of_apps=True,
        return_sections=APP_SECTIONS,
        words=Words(publish_todo=_("在应用上线后30天内办理公安联网备案。")),
    )
)
