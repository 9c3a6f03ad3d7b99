"""Transitions: one service per transition of a filing's state machine.

Each locks the filing row, checks the transition may run and that the caller's copy is current,
runs it, saves, writes the history row, stores the new stage's deadlines and queues notifications
after commit.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from filings.exceptions import (
    ChecksFailed,
    ConflictError,
    InvalidInput,
    TransitionNotPermitted,
    TransitionNotPossible,
)
from filings.formats.validators import (
    normalise_psb_number,
    refuse_unbounded_reasons,
    validate_icp_subject_number,
    validate_psb_number,
)
from filings.kinds import Approval, Numbers, Recipients
from filings.kinds.states import State
from filings.models import (
    TRANSITION_LABELS,
    Filing,
    FilingEvent,
    Person,
    SmsVerifier,
    finish_transition,
    wording,
)
from filings.models.wording import Said, said
from filings.rules import authenticity, change_diff, deadlines, numbering
from filings.rules.checks import load_filing_for_checks, run_submission_checks
from filings.services import notifications, risk


def label(name: str) -> str:
    """Return the reader's name of a transition (the state machine's label)."""
    return str(TRANSITION_LABELS.get(name, name))


def lock_filing(filing: Filing, *, expected_version: int | None = None) -> Filing:
    """Return the filing's row locked for this transaction, refusing a stale caller's copy."""
    locked = (
        Filing.objects.select_for_update(of=("self",))
        .select_related("province", "subject", "subject_principal")
        .get(pk=filing.pk)
    )
    if locked.state != filing.state or (expected_version is not None and locked.version != expected_version):
        raise ConflictError(
            _("该备案已被他人更新(当前阶段:%(state)s),请刷新后重试。") % {"state": locked.get_state_display()}
        )
    return locked


def clean_reasons(reasons: Iterable[dict] | None, *, required: bool, missing: str = "") -> list[dict]:
    cleaned = []
    reasons = refuse_unbounded_reasons(reasons)
    for item in reasons:
        if not isinstance(item, dict):
            raise InvalidInput(
                _("退回原因格式不正确。"), details={"reasons": [_("每条原因须包含字段、原因和修改建议。")]}
            )
        reason = str(item.get("reason", "")).strip()
        if not reason:
            raise InvalidInput(_("退回原因不能为空。"), details={"reasons": [_("请填写原因。")]})
        cleaned.append(
            {
                "field": str(item.get("field", "")).strip()[:100],
                "reason": reason,
                "suggested_fix": str(item.get("suggested_fix", "")).strip()[:500],
                "code": str(item.get("code", "")).strip()[:48],
                # The catalogue's untranslated texts, said again in each reader's language.
                **{
                    key: item[key]
                    for key in ("reason_source", "suggested_fix_source")
                    if wording.is_source(item.get(key))
                },
            }
        )
    if required and not cleaned:
        raise InvalidInput(
            missing or _("退回时请至少填写一条原因。"), details={"reasons": [_("请至少填写一条原因。")]}
        )
    return cleaned


def no_rejection_reasons() -> str:
    return _("记录管局退回时请至少填写一条原因。")


def refuse_unless_allowed(
    filing: Filing, method: Callable[[], None], *, by: Any, check_permission: bool = True
) -> None:
    """Refuse the transition (the filing's bound method, e.g. `filing.submit`) in a wrong stage or
    for an actor it does not allow."""
    name = method.__name__
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotPossible(
            _("备案当前处于“%(state)s”阶段,不能执行“%(action)s”。")
            % {"state": filing.get_state_display(), "action": label(name)}
        )
    if check_permission and not has_transition_perm(method, by):
        raise TransitionNotPermitted(_("您没有权限执行“%(action)s”。") % {"action": label(name)})


def advance(
    filing: Filing, method: Callable[[], None], *, by: Any, now: datetime, check_permission: bool = True
) -> tuple[str, bool]:
    """Run the transition on the filing's row in memory (the locked filing's bound method, e.g.
    `locked.submit`): refuse it in a wrong stage or for a wrong actor, then move the stage, its visit
    and the version on. Return the stage it left and whether it changed. Nothing is saved."""
    refuse_unless_allowed(filing, method, by=by, check_permission=check_permission)
    from_state = filing.state
    method()
    stage_changed = filing.state != from_state
    if stage_changed:
        filing.stage_visit += 1
        filing.stage_entered_at = now
    filing.version += 1
    filing.updated_at = now
    return from_state, stage_changed


def history_event(
    filing: Filing,
    transition: str,
    *,
    from_state: str,
    by: Any,
    at: datetime,
    comment: str | Said = "",
    reasons: list[dict] | None = None,
) -> FilingEvent:
    """Return the (unsaved) history row of a transition the filing has just made."""
    return FilingEvent(
        filing=filing,
        actor=by if getattr(by, "pk", None) else None,
        at=at,
        transition=transition,
        from_state=from_state,
        to_state=filing.state,
        **FilingEvent.comment_fields(comment),
        reasons=reasons or [],
        stage_visit=filing.stage_visit,
    )


def apply_transition(
    filing: Filing,
    method: Callable[[], None],
    *,
    by: Any,
    comment: str | Said = "",
    reasons: list[dict] | None = None,
    now: datetime | None = None,
    check_permission: bool = True,
) -> FilingEvent:
    """Run the transition (the locked filing's bound method, e.g. `locked.submit`), save the filing
    and write its history row. services.transition_batch writes the same rows for many filings."""
    now = now or timezone.now()
    from_state, stage_changed = advance(filing, method, by=by, now=now, check_permission=check_permission)
    try:
        filing.save()
    except ConcurrentTransition as error:
        raise ConflictError() from error
    event = history_event(
        filing, method.__name__, from_state=from_state, by=by, at=now, comment=comment, reasons=reasons
    )
    event.save(force_insert=True)
    if stage_changed:
        deadlines.open_stage_deadlines(filing, now=now)
    notifications.record_decisions([event])
    transaction.on_commit(partial(notifications.notify_transition, event.pk))
    return event


def _run_transition(
    filing: Filing,
    method: Callable[[Filing], None],
    *,
    by: Any,
    comment: str,
    reasons: list[dict] | None,
    reasons_required: bool = False,
    no_reasons: str = "",
) -> Filing:
    """Lock the filing and run the transition (Filing's method, e.g. `Filing.withdraw`), which needs
    nothing but the actor and a comment."""
    cleaned = clean_reasons(reasons, required=reasons_required, missing=no_reasons)
    with transaction.atomic():
        locked = lock_filing(filing)
        apply_transition(locked, getattr(locked, method.__name__), by=by, comment=comment, reasons=cleaned)
    return locked


def submit_filing(filing: Filing, *, by: Any, comment: str = "", reasons: list[dict] | None = None) -> Filing:
    """Send a draft to the provider's pre-review once every submission check passes."""
    cleaned = clean_reasons(reasons, required=False)
    with transaction.atomic():
        locked = lock_filing(filing)
        # Refuse a wrong stage or actor before judging the data, as every other transition does.
        refuse_unless_allowed(locked, locked.submit, by=by)
        loaded = load_filing_for_checks(locked.pk)
        checklist = run_submission_checks(loaded)
        if not checklist.passed:
            raise ChecksFailed(
                _("还有 %(n)s 项检查未通过,请修改后再提交。") % {"n": len(checklist.failures)},
                details=[r.as_json() for r in checklist.failures],
            )
        event = apply_transition(locked, locked.submit, by=by, comment=comment, reasons=cleaned)
        risk.record_submitted_features(loaded, checklist, event=event)
    return locked


def withdraw_filing(
    filing: Filing, *, by: Any, comment: str = "", reasons: list[dict] | None = None
) -> Filing:
    """Withdraw a filing its service principal no longer wants filed."""
    return _run_transition(filing, Filing.withdraw, by=by, comment=comment, reasons=reasons)


def return_filing(filing: Filing, *, by: Any, comment: str = "", reasons: list[dict] | None = None) -> Filing:
    """Return a filing from pre-review to entry, with at least one reason and its suggested fix."""
    return _run_transition(
        filing, Filing.return_to_entry, by=by, comment=comment, reasons=reasons, reasons_required=True
    )


def reject_filing(filing: Filing, *, by: Any, comment: str = "", reasons: list[dict] | None = None) -> Filing:
    """Record the bureau's rejection, with at least one of its reasons."""
    return _run_transition(
        filing,
        Filing.reject,
        by=by,
        comment=comment,
        reasons=reasons,
        reasons_required=True,
        no_reasons=no_rejection_reasons(),
    )


def fail_sms_verification(
    filing: Filing, *, by: Any, comment: str = "", reasons: list[dict] | None = None
) -> Filing:
    """Record that the MIIT SMS verification failed: the filing goes back to entry."""
    return _run_transition(filing, Filing.fail_sms, by=by, comment=comment, reasons=reasons)


def pass_review(filing: Filing, *, by: Any, comment: str = "") -> Filing:
    """Pass the provider pre-review: the MIIT SMS goes to each verifier (none for 取消接入)."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_filing(filing)
        if not locked.kind.walks_sms:
            raise TransitionNotPossible(
                _("%(type)s在服务商处完成,无需短信核验和管局审核,请使用“%(finish)s”。")
                % {"type": locked.type_label, "finish": label(finish_transition(locked))}
            )
        apply_transition(locked, locked.pass_review, by=by, comment=comment, now=now)
        locked.reviewer = locked.reviewer or (by if getattr(by, "pk", None) else None)
        locked.save(update_fields=["reviewer"])
        verifiers = sms_verifiers_for(locked)
        SmsVerifier.objects.bulk_create(
            SmsVerifier(
                filing=locked,
                stage_visit=locked.stage_visit,
                person=person,
                mobile=person.mobile,
                sent_at=now,
            )
            for person in verifiers
        )
        check = authenticity.new_check(locked, now=now)
        if check is not None:
            check.save()
        if not verifiers and check is None:
            apply_transition(
                locked,
                locked.complete_sms,
                by=by,
                comment=said(gettext_noop("该类型备案无需短信核验。")),
                now=now,
                check_permission=False,
            )
    return locked


def sms_verifiers_for(filing: Filing) -> list[Person]:
    """Return who must confirm the SMS code: one person per distinct phone."""
    recipients = filing.kind.recipients
    if recipients == Recipients.NONE:
        return []
    if recipients == Recipients.CHANGED_SECTIONS:
        people = change_diff.sms_people(filing, change_diff.change_diff(filing))
    else:
        people = [filing.subject_principal] if recipients == Recipients.SUBJECT_AND_ITEMS else []
        people.extend(w.principal for w in filing.websites.select_related("principal"))
        people.extend(a.principal for a in filing.apps.select_related("principal"))
    by_phone: dict[str, Person] = {}
    for person in people:
        by_phone.setdefault(person.mobile, person)
    return list(by_phone.values())


def record_sms_verification(filing: Filing, *, verifier_id: int, by: Any) -> Filing:
    """Record that one verifier confirmed the MIIT code; the last one moves the filing on."""
    with transaction.atomic():
        locked = lock_filing(filing)
        if locked.state != State.SMS_VERIFICATION:
            raise TransitionNotPossible(_("备案当前不在短信核验阶段。"))
        if not has_transition_perm(locked.complete_sms, by):
            raise TransitionNotPermitted(_("您没有权限记录短信核验。"))
        verifiers = list(
            SmsVerifier.objects.select_for_update().filter(filing=locked, stage_visit=locked.stage_visit)
        )
        verifier = next((v for v in verifiers if v.pk == verifier_id), None)
        if verifier is None:
            # The detail repeats the message: the API names the field, and the review page, which leaves
            # out a detail its message says, shows one sentence.
            message = _("该核验人不属于本轮短信核验,请刷新页面后重新选择。")
            raise InvalidInput(message, details={"verifier": [message]})
        if verifier.verified_at is None:
            now = timezone.now()
            verifier.verified_at, verifier.verified_by = now, by
            verifier.save(update_fields=["verified_at", "verified_by"])
            FilingEvent.record_step(
                locked,
                transition="sms_verified",
                by=by,
                at=now,
                comment=said(gettext_noop("%(name)s已完成短信核验。"), name=verifier.person.name),
            )
        if all(v.verified_at for v in verifiers):
            if authenticity.allows_bureau(locked):
                apply_transition(
                    locked,
                    locked.complete_sms,
                    by=by,
                    comment=said(gettext_noop("全部核验人已完成短信核验。")),
                )
            else:
                # The filing waits for its face check (services.authenticity moves it on): the SMS
                # window is met, so it neither warns nor expires any more.
                deadlines.close_open_deadlines(locked, now=timezone.now(), kinds=[deadlines.Kind.SMS_WINDOW])
    return locked


def sms_expiry_record() -> tuple[Said, list[dict]]:
    """Return the history comment and reasons of an SMS window's expiry (also written in bulk by
    services.sms_expiry)."""
    comment = said(gettext_noop("短信核验未在24小时内完成,备案退回信息填报;重新提交后将收到新的短信。"))
    reasons = [
        {
            "field": "sms",
            **wording.reason_part("reason", said(gettext_noop("短信核验未在24小时内完成"))),
            **wording.reason_part(
                "suggested_fix", said(gettext_noop("重新提交后,请在收到新短信的24小时内完成核验。"))
            ),
            "code": "sms_timeout",
        }
    ]
    return comment, reasons


def expire_sms_window(filing: Filing, *, now: datetime | None = None) -> Filing:
    """Send a filing whose 24-hour SMS window passed back to entry (made by the scheduler)."""
    comment, reasons = sms_expiry_record()
    with transaction.atomic():
        locked = lock_filing(filing)
        apply_transition(locked, locked.expire_sms, by=None, now=now, comment=comment, reasons=reasons)
    return locked


def refuse_wrong_approval(filing: Filing, *, by: Any, icp_number: str) -> None:
    """Refuse an approval of the locked filing in a wrong stage, by a wrong actor, of a type that
    takes no new number, or with a subject number of another province's format."""
    # A wrong stage or actor first, before judging the number they typed.
    refuse_unless_allowed(filing, filing.approve, by=by)
    if filing.kind.approval != Approval.PUBLISH:
        # Changes keep and cancellations drop numbers: services.dispatch runs their approval.
        raise TransitionNotPossible(_("%(type)s不取得新的备案号。") % {"type": filing.type_label})
    try:
        validate_icp_subject_number(icp_number, abbreviation=filing.province.icp_abbreviation)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], details={"icp_number": error.messages}) from error
    if filing.kind.numbers == Numbers.EXISTING and icp_number != filing.icp_number:
        raise InvalidInput(
            _("新增接入沿用原备案号 %(n)s。") % {"n": filing.icp_number},
            details={"icp_number": [_("新增接入不取得新的备案号。")]},
        )


def approval_comment(icp_number: str) -> Said:
    return said(gettext_noop("管局审核通过,备案号 %(n)s。"), n=icp_number)


def approve_filing(
    filing: Filing,
    *,
    by: Any,
    icp_number: str,
    website_numbers: dict[int, str] | None = None,
    app_numbers: dict[int, str] | None = None,
    comment: str = "",
) -> Filing:
    """Record the bureau's approval with the subject's ICP number and each website's and app's number."""
    icp_number = (icp_number or "").strip()
    with transaction.atomic():
        locked = lock_filing(filing)
        refuse_wrong_approval(locked, by=by, icp_number=icp_number)
        websites = list(locked.websites.select_for_update().order_by("position"))
        apps = list(locked.apps.select_for_update().order_by("position"))
        numbers, app_numbers = numbering.approved_numbers(
            locked, icp_number, websites, apps, website_numbers=website_numbers, app_numbers=app_numbers
        )
        locked.icp_number = icp_number
        apply_transition(locked, locked.approve, by=by, comment=comment or approval_comment(icp_number))
        for website in websites:
            website.icp_number = numbers[website.pk]
            website.save(update_fields=["icp_number"])
        for app in apps:
            app.icp_number = app_numbers[app.pk]
            app.save(update_fields=["icp_number"])
    return locked


def checked_psb_number(filing: Filing, value: str) -> str:
    """Return the number as stored, or raise InvalidInput saying what is wrong with it."""
    number = normalise_psb_number(value)
    try:
        validate_psb_number(
            number, abbreviation=filing.province.psb_abbreviation, province_code=filing.province.code
        )
    except ValidationError as error:
        raise InvalidInput(error.messages[0], details={"psb_number": error.messages}) from error
    return number


def register_public_security(filing: Filing, *, by: Any, psb_number: str, comment: str = "") -> Filing:
    """Record the public-security (公安) filing number of a published site; its deadline closes."""
    with transaction.atomic():
        locked = lock_filing(filing)
        if locked.psb_number:
            raise TransitionNotPossible(_("已记录公安联网备案号 %(n)s。") % {"n": locked.psb_number})
        refuse_unless_allowed(locked, locked.register_public_security, by=by)
        psb_number = checked_psb_number(locked, psb_number)
        locked.psb_number = psb_number
        apply_transition(
            locked,
            locked.register_public_security,
            by=by,
            comment=comment or said(gettext_noop("公安联网备案号 %(n)s。"), n=psb_number),
        )
        deadlines.close_open_deadlines(locked, now=timezone.now(), kinds=[deadlines.Kind.PUBLIC_SECURITY])
    return locked


def claim_filing(filing: Filing, *, by: Any) -> Filing:
    """Assign the filing's review to the acting reviewer."""
    if not getattr(by, "is_reviewer", False):
        raise TransitionNotPermitted(_("只有初审员可以认领备案。"))
    with transaction.atomic():
        locked = lock_filing(filing)
        locked.reviewer = by
        locked.save(update_fields=["reviewer"])
    return locked
