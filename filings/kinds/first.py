"""首次备案: a subject's first filing, with its websites."""

from filings.kinds.base import FilingKind
from filings.kinds.registry import register

FIRST = register(FilingKind(code="first"))
