"""注销网站 / 注销APP / 注销主体: the bureau cancels a published website, app or the whole subject."""

from django.utils.translation import gettext_lazy as _

from filings.kinds.base import Approval, FilingKind, Materials, Numbers, Words
from filings.kinds.registry import register

CANCEL = register(
    FilingKind(
        code="cancel",
        approval=Approval.CANCEL,
        numbers=Numbers.NONE,
        materials=Materials.CANCELLATION,
        acts_on_target=True,
        cancel_scopes=("website", "app", "subject"),
        takes_followups=False,
        return_sections=("subject", "subject_principal"),
        words=Words(
            approved_notice=_("已记录管局审核通过,已注销。"),
            approved_state=_("已注销"),
            decision_title=_("已注销"),
            finished=_("注销已完成,无需操作。"),
        ),
    )
)
