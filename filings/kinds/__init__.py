"""One declaration per filing type; importing the package registers them all."""

from filings.kinds import cancel, cancel_access, change, first, new_access, new_app, new_website  # noqa: F401
from filings.kinds.base import Approval, FilingKind, Materials, Numbers, Recipients, Words
from filings.kinds.registry import KINDS, codes, kind_of

__all__ = [
    "KINDS",
    "Approval",
    "FilingKind",
    "Materials",
    "Numbers",
    "Recipients",
    "Words",
    "codes",
    "kind_of",
]
