"""新增接入: websites filed through another provider move here and keep their numbers."""

from filings.kinds.base import FilingKind, Numbers, Recipients
from filings.kinds.registry import register

NEW_ACCESS = register(
    FilingKind(code="new_access", numbers=Numbers.EXISTING, recipients=Recipients.ITEM_PRINCIPALS)
)
