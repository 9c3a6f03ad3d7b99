"""The authenticity check (真实性核验): record its outcome (by the reviewer or the principal), or its
expiry (by the scheduler); a failure or an expiry sends the filing back to entry with the reason."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import has_transition_perm

from accounts.roles import Perm
from filings.exceptions import BeianError, InvalidInput, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import AuthenticityCheck, Deadline, Filing, FilingEvent, SmsVerifier, wording
from filings.models import transition_rules as permissions
from filings.models.wording import said
from filings.rules import authenticity as rules
from filings.rules import deadlines
from filings.services.transitions import apply_transition, lock_filing

Outcome = AuthenticityCheck.Outcome


def _pending_check(filing: Filing) -> AuthenticityCheck:
    if filing.state != State.SMS_VERIFICATION:
        raise TransitionNotPossible(_("备案当前不在核验阶段,不能记录真实性核验。"))
    check = (
        AuthenticityCheck.objects.select_for_update()
        .select_related("person")
        .filter(filing=filing, stage_visit=filing.stage_visit, step=AuthenticityCheck.Step.PROVINCE)
        .first()
    )
    if check is None:
        raise TransitionNotPossible(_("%(province)s不要求真实性核验。") % {"province": filing.province.name})
    if check.outcome != Outcome.PENDING:
        raise TransitionNotPossible(
            _("本轮真实性核验已记录为“%(outcome)s”。") % {"outcome": check.get_outcome_display()}
        )
    return check


def record_entry_face_check(
    filing: Filing, *, by: Any, person_id: int, passed: bool, reason: str = ""
) -> Filing:
    """Record one principal's face check during entry (the provider console's result, reported by
    the principal or a reviewer): every principal named must pass before the filing is submitted."""
    reason = (reason or "").strip()[:500]
    if not passed and not reason:
        raise InvalidInput(_("请填写真实性核验未通过的原因。"), details={"reason": [_("请填写原因。")]})
    now = timezone.now()
    with transaction.atomic():
        locked = lock_filing(filing)
        if not (permissions.can_edit_filing(by, locked) or by.has_perm(Perm.REVIEW)):
            raise TransitionNotPermitted(_("只有服务负责人或初审员可以记录真实性核验。"))
        if locked.state != State.ENTRY:
            raise TransitionNotPossible(_("真实性核验在提交初审前的信息填报阶段完成。"))
        person = next((p for p in rules.principals_to_check(locked) if p.pk == person_id), None)
        if person is None:
            raise InvalidInput(
                _("该人员不是本备案需要核验的负责人。"), details={"person_id": [_("请选择本备案的负责人。")]}
            )
        AuthenticityCheck.objects.create(
            filing=locked,
            step=AuthenticityCheck.Step.ENTRY,
            stage_visit=locked.stage_visit,
            person=person,
            started_at=now,
            outcome=Outcome.PASSED if passed else Outcome.FAILED,
            reason=reason,
            recorded_at=now,
            recorded_by=by,
        )
        FilingEvent.record_step(
            locked,
            transition="face_check_passed" if passed else "face_check_failed",
            by=by,
            at=now,
            comment=said(gettext_noop("%(name)s已通过真实性核验。"), name=person.name)
            if passed
            else said(gettext_noop("%(name)s未通过真实性核验:%(reason)s"), name=person.name, reason=reason),
        )
    return locked


def record_face_check(filing: Filing, *, by: Any, passed: bool, reason: str = "") -> Filing:
    """Record the face check's outcome: passed (the filing goes on once every SMS is confirmed) or
    failed with its reason (the filing goes back to entry)."""
    reason = (reason or "").strip()[:500]
    if not passed and not reason:
        raise InvalidInput(_("请填写真实性核验未通过的原因。"), details={"reason": [_("请填写原因。")]})
    now = timezone.now()
    with transaction.atomic():
        locked = lock_filing(filing)
        if not has_transition_perm(locked.fail_face_check, by):
            raise TransitionNotPermitted(_("只有服务负责人或初审员可以记录真实性核验。"))
        check = _pending_check(locked)
        check.outcome = Outcome.PASSED if passed else Outcome.FAILED
        check.reason, check.recorded_at, check.recorded_by = reason, now, by
        check.save(update_fields=["outcome", "reason", "recorded_at", "recorded_by"])
        if not passed:
            apply_transition(
                locked,
                locked.fail_face_check,
                by=by,
                now=now,
                comment=said(gettext_noop("真实性核验未通过,备案退回信息填报。")),
                reasons=[
                    {
                        "field": "face_verification",
                        "reason": reason,
                        **wording.reason_part(
                            "suggested_fix",
                            said(gettext_noop("请负责人按原因准备后重新提交,届时将开始新的真实性核验。")),
                        ),
                        "code": "face_check_failed",
                    }
                ],
            )
            return locked
        FilingEvent.record_step(
            locked,
            transition="face_check_passed",
            by=by,
            at=now,
            comment=said(gettext_noop("%(name)s已通过真实性核验。"), name=check.person.name),
        )
        deadlines.close_open_deadlines(locked, now=now, kinds=[Deadline.Kind.FACE_CHECK])
        verifiers = SmsVerifier.objects.filter(filing=locked, stage_visit=locked.stage_visit)
        if all(v.verified_at for v in verifiers):
            apply_transition(
                locked,
                locked.complete_sms,
                by=by,
                now=now,
                comment=said(gettext_noop("短信核验与真实性核验均已完成。")),
                check_permission=False,
            )
    return locked


def expire_face_check(filing: Filing, *, now: datetime | None = None) -> Filing:
    """Send a filing whose face check was not passed in time back to entry (made by the scheduler)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_filing(filing)
        check = _pending_check(locked)
        if check.expires_at > now:
            raise TransitionNotPossible(_("真实性核验尚未到期。"))
        check.outcome, check.recorded_at = Outcome.EXPIRED, now
        check.save(update_fields=["outcome", "recorded_at"])
        apply_transition(
            locked,
            locked.expire_face_check,
            by=None,
            now=now,
            comment=said(
                gettext_noop("真实性核验未在时限内完成,备案退回信息填报;重新提交后将开始新的核验。")
            ),
            reasons=[
                {
                    "field": "face_verification",
                    **wording.reason_part("reason", said(gettext_noop("真实性核验未在时限内完成"))),
                    **wording.reason_part(
                        "suggested_fix", said(gettext_noop("重新提交后,请负责人在时限内完成人脸核验。"))
                    ),
                    "code": "face_check_timeout",
                }
            ],
        )
    return locked


def expire_face_checks(*, now: datetime) -> int:
    """Expire every pending face check past its time; return how many filings went back."""
    expired = 0
    due = AuthenticityCheck.objects.filter(
        outcome=Outcome.PENDING,
        expires_at__lte=now,
        filing__state=State.SMS_VERIFICATION,
        step=AuthenticityCheck.Step.PROVINCE,
    ).select_related("filing")
    for check in due[:500]:
        if check.stage_visit != check.filing.stage_visit:
            continue
        try:
            expire_face_check(check.filing, now=now)
        except BeianError:
            continue  # Recorded or moved on meanwhile.
        expired += 1
    return expired
