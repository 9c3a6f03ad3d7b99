"""The one entry point for a transition asked for by name (the API, the admin and the review
pages): approving, or finishing at the provider, runs what the filing's type declares."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from filings.exceptions import InvalidInput, TransitionNotPossible
from filings.kinds import Approval
from filings.models import REQUESTED_TRANSITIONS, Filing, Transition, finish_transition
from filings.services import cancellations, changes, transitions


def _publish(filing: Filing, *, by: Any, comment: str, numbers: dict) -> Filing:
    return transitions.approve_filing(filing, by=by, comment=comment, **numbers)


def _apply_change(filing: Filing, *, by: Any, comment: str, numbers: dict) -> Filing:
    return changes.approve_change(filing, by=by, comment=comment)


def _cancel(filing: Filing, *, by: Any, comment: str, numbers: dict) -> Filing:
    return cancellations.approve_cancellation(filing, by=by, comment=comment)


def _end_access(filing: Filing, *, by: Any, comment: str, numbers: dict) -> Filing:
    return cancellations.finish_access_cancellation(filing, by=by, comment=comment)


APPROVALS: dict[str, Callable[..., Filing]] = {
    Approval.PUBLISH: _publish,
    Approval.APPLY_CHANGE: _apply_change,
    Approval.CANCEL: _cancel,
    Approval.END_ACCESS: _end_access,
}


def approve(
    filing: Filing,
    *,
    by: Any,
    comment: str = "",
    icp_number: str = "",
    website_numbers: dict[int, str] | None = None,
    app_numbers: dict[int, str] | None = None,
) -> Filing:
    """Record the approval (or the finish at the provider) the filing's type ends with."""
    numbers = {"icp_number": icp_number, "website_numbers": website_numbers, "app_numbers": app_numbers}
    return APPROVALS[filing.kind.approval](filing, by=by, comment=comment, numbers=numbers)


def _by_id(values: dict | None) -> dict[int, str]:
    return {int(k): v for k, v in (values or {}).items() if str(k).isdigit()}


def perform_transition(
    filing: Filing,
    name: str,
    *,
    by: Any,
    comment: str = "",
    reasons: list[dict] | None = None,
    icp_number: str = "",
    website_numbers: dict | None = None,
    app_numbers: dict | None = None,
    psb_number: str = "",
    verifier_id: int | None = None,
) -> Filing:
    """Run the transition a user asked for by name."""
    if name not in REQUESTED_TRANSITIONS:
        raise TransitionNotPossible(_("没有名为“%(name)s”的操作。") % {"name": name})
    finish = finish_transition(filing)
    if name == finish:
        return approve(
            filing,
            by=by,
            comment=comment,
            icp_number=icp_number,
            website_numbers=_by_id(website_numbers),
            app_numbers=_by_id(app_numbers),
        )
    if name in (Transition.APPROVE, Transition.FINISH_AT_PROVIDER):
        raise TransitionNotPossible(
            _("“%(type)s”以“%(action)s”办结。")
            % {"type": filing.type_label, "action": transitions.label(finish)}
        )
    if name == Transition.REGISTER_PUBLIC_SECURITY:
        return transitions.register_public_security(filing, by=by, psb_number=psb_number, comment=comment)
    if name == Transition.COMPLETE_SMS:
        if verifier_id is None:
            raise InvalidInput(_("请指定完成核验的核验人。"), details={"verifier_id": [_("请指定核验人。")]})
        return transitions.record_sms_verification(filing, verifier_id=verifier_id, by=by)
    if name == Transition.PASS_REVIEW:
        return transitions.pass_review(filing, by=by, comment=comment)
    simple = {
        Transition.SUBMIT: transitions.submit_filing,
        Transition.WITHDRAW: transitions.withdraw_filing,
        Transition.RETURN_TO_ENTRY: transitions.return_filing,
        Transition.REJECT: transitions.reject_filing,
        Transition.FAIL_SMS: transitions.fail_sms_verification,
    }
    return simple[name](filing, by=by, comment=comment, reasons=reasons)
