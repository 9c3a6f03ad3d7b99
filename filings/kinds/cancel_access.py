"""取消接入: the provider stops hosting a website; it ends at the provider (no SMS, no bureau)."""

from django.utils.translation import gettext_lazy as _

from filings.kinds.base import Approval, FilingKind, Materials, Numbers, Recipients, Words
from filings.kinds.registry import register
from filings.kinds.states import State

CANCEL_ACCESS = register(
    FilingKind(
        code="cancel_access",
        stages=(State.ENTRY, State.PROVIDER_REVIEW, State.PUBLISHED),
        approval=Approval.END_ACCESS,
        numbers=Numbers.NONE,
        recipients=Recipients.NONE,
        materials=Materials.NONE,
        acts_on_target=True,
        cancel_scopes=("access",),
        takes_followups=False,
        return_sections=("subject", "subject_principal", "website"),
        words=Words(
            approved_notice=_("已记录取消接入完成。"),
            approved_state=_("已取消接入"),
            decision_title=_("已取消接入"),
            finished=_("取消接入已完成,无需操作。"),
        ),
    )
)
