"""APP备案: apps, mini-programs and quick apps of a subject, numbered -NA / -NX / -NK."""

from filings.kinds.base import APP_SECTIONS, FilingKind
from filings.kinds.registry import register

NEW_APP = register(
    FilingKind(code="new_app", made_of_apps=True, needs_published_subject=True, return_sections=APP_SECTIONS)
)
