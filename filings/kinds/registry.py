"""The declared filing types by code, and the declaration of a filing."""

from filings.kinds.base import FilingKind

KINDS: dict[str, FilingKind] = {}


def register(kind: FilingKind) -> FilingKind:
    KINDS[kind.code] = kind
    return kind


def kind_of(filing_or_code) -> FilingKind:
    """Return the declaration of a filing (or of a filing type's code)."""
    code = getattr(filing_or_code, "filing_type", filing_or_code)
    return KINDS[code]


def codes(**wanted) -> list[str]:
    """Return the codes of the types whose declarations have every attribute given, e.g.
    codes(takes_followups=True)."""
    return [code for code, kind in KINDS.items() if all(getattr(kind, k) == v for k, v in wanted.items())]
