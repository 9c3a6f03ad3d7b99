"""变更备案: a draft copy of a published filing whose changed values replace the published ones."""

from django.utils.translation import gettext_lazy as _

from filings.kinds.base import (
    APP_SECTIONS,
    WEBSITE_SECTIONS,
    Approval,
    FilingKind,
    Materials,
    Numbers,
    Recipients,
    Words,
)
from filings.kinds.registry import register

CHANGE = register(
    FilingKind(
        code="change",
        approval=Approval.APPLY_CHANGE,
        numbers=Numbers.NONE,
        recipients=Recipients.CHANGED_SECTIONS,
        materials=Materials.CHANGE,
        made_of_apps=None,
        acts_on_target=True,
        takes_followups=False,
        return_sections=(*WEBSITE_SECTIONS, *APP_SECTIONS[2:]),
        words=Words(
            approved_notice=_("已记录管局审核通过,变更已生效。"),
            approved_state=_("变更已生效"),
            decision_title=_("变更已生效"),
            finished=_("变更已生效,无需操作。"),
        ),
    )
)
