"""新增网站: more websites of a published subject."""

from filings.kinds.base import FilingKind
from filings.kinds.registry import register

NEW_WEBSITE = register(FilingKind(code="new_website", needs_published_subject=True))
