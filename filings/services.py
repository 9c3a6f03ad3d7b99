"""Writes: every change to a filing goes through one of these functions.

A transition service locks the filing row, checks the transition may run and that the caller's
copy is current, runs it, saves, writes the history row, stores the new stage's deadlines and
queues notifications after commit.
"""

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from filings import deadlines, notifications, page_cache
from filings import permissions as transition_perms
from filings.checks import load_filing_for_checks, run_submission_checks
from filings.exceptions import (
    ChecksFailed,
    ConflictError,
    InvalidInput,
    TransitionNotPermitted,
    TransitionNotPossible,
)
from filings.models import (
    Alert,
    CalendarYear,
    Domain,
    Filing,
    FilingEvent,
    Material,
    Notification,
    Person,
    PriorApproval,
    SmsVerifier,
    Subject,
    Website,
)
from filings.states import EDITABLE_STATES, OPEN_STATES, State
from filings.validators import (
    normalise_domain,
    refuse_unbounded_reasons,
    validate_icp_subject_number,
    validate_icp_website_number,
)

# Transitions by the name the API and UI use, with what each needs besides the actor.
# Lazy: the labels are read in the language of each request, not the one active at import.
TRANSITION_LABELS = {
    "submit": gettext_lazy("提交初审"),
    "withdraw": gettext_lazy("撤回"),
    "pass_review": gettext_lazy("初审通过"),
    "return_to_entry": gettext_lazy("初审退回"),
    "complete_sms": gettext_lazy("短信核验完成"),
    "expire_sms": gettext_lazy("短信核验超时"),
    "fail_sms": gettext_lazy("短信核验失败"),
    "approve": gettext_lazy("管局审核通过"),
    "reject": gettext_lazy("管局退回"),
    "register_public_security": gettext_lazy("公安联网备案"),
}


def _label(name: str) -> str:
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


def _clean_reasons(reasons: Iterable[dict] | None, *, required: bool) -> list[dict]:
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
            }
        )
    if required and not cleaned:
        raise InvalidInput(_("退回时请至少填写一条原因。"), details={"reasons": [_("请至少填写一条原因。")]})
    return cleaned


def _refuse_unless_allowed(filing: Filing, name: str, *, by: Any, check_permission: bool = True) -> None:
    method = getattr(filing, name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotPossible(
            _("备案当前处于“%(state)s”阶段,不能执行“%(action)s”。")
            % {"state": filing.get_state_display(), "action": _label(name)}
        )
    if check_permission and not has_transition_perm(method, by):
        raise TransitionNotPermitted(_("您没有权限执行“%(action)s”。") % {"action": _label(name)})


def _apply_transition(
    filing: Filing,
    name: str,
    *,
    by: Any,
    comment: str = "",
    reasons: list[dict] | None = None,
    now: datetime | None = None,
    check_permission: bool = True,
) -> FilingEvent:
    """Run transition `name` on a locked filing, save it and write its history row."""
    now = now or timezone.now()
    method = getattr(filing, name)
    _refuse_unless_allowed(filing, name, by=by, check_permission=check_permission)
    from_state = filing.state
    method()
    stage_changed = filing.state != from_state
    if stage_changed:
        filing.stage_visit += 1
        filing.stage_entered_at = now
    filing.version += 1
    filing.updated_at = now
    try:
        filing.save()
    except ConcurrentTransition as error:
        raise ConflictError() from error
    event = FilingEvent.objects.create(
        filing=filing,
        actor=by if getattr(by, "pk", None) else None,
        at=now,
        transition=name,
        from_state=from_state,
        to_state=filing.state,
        comment=comment[:2000],
        reasons=reasons or [],
        stage_visit=filing.stage_visit,
    )
    if stage_changed:
        deadlines.open_stage_deadlines(filing, now=now)
    transaction.on_commit(partial(notifications.notify_transition, event.pk))
    return event


def _transition_service(
    name: str, *, reasons_required: bool = False, prepare: Callable[..., None] | None = None
):
    def service(
        filing: Filing, *, by: Any, comment: str = "", reasons: list[dict] | None = None, **kwargs: Any
    ) -> Filing:
        cleaned = _clean_reasons(reasons, required=reasons_required)
        with transaction.atomic():
            locked = lock_filing(filing)
            if prepare is not None:
                prepare(locked, by=by, **kwargs)
            _apply_transition(locked, name, by=by, comment=comment, reasons=cleaned)
        return locked

    service.__name__ = f"{name}_filing"
    return service


def _check_before_submit(filing: Filing, *, by: Any) -> None:
    # Refuse a wrong stage or actor before judging the data, as every other transition does.
    _refuse_unless_allowed(filing, "submit", by=by)
    checklist = run_submission_checks(load_filing_for_checks(filing.pk))
    if not checklist.passed:
        raise ChecksFailed(
            _("还有 %(n)s 项检查未通过,请修改后再提交。") % {"n": len(checklist.failures)},
            details=[r.as_json() for r in checklist.failures],
        )


submit_filing = _transition_service("submit", prepare=_check_before_submit)
withdraw_filing = _transition_service("withdraw")
return_filing = _transition_service("return_to_entry", reasons_required=True)
reject_filing = _transition_service("reject", reasons_required=True)
fail_sms_verification = _transition_service("fail_sms")


def pass_review(filing: Filing, *, by: Any, comment: str = "") -> Filing:
    """Pass the provider pre-review: the MIIT SMS goes to each verifier (none for 取消接入)."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_filing(filing)
        _apply_transition(locked, "pass_review", by=by, comment=comment, now=now)
        locked.reviewer = locked.reviewer or (by if getattr(by, "pk", None) else None)
        locked.save(update_fields=["reviewer"])
        verifiers = sms_verifiers_for(locked)
        page_cache.filings_changed([locked.pk])
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
        if not verifiers:
            _apply_transition(
                locked,
                "complete_sms",
                by=by,
                comment=_("该类型备案无需短信核验。"),
                now=now,
                check_permission=False,
            )
    return locked


def sms_verifiers_for(filing: Filing) -> list[Person]:
    """Return who must confirm the SMS code: one person per distinct phone."""
    if filing.filing_type == Filing.Type.CANCEL_ACCESS:
        return []
    people: list[Person] = []
    if filing.filing_type not in (Filing.Type.NEW_ACCESS,):
        people.append(filing.subject_principal)
    people.extend(w.principal for w in filing.websites.select_related("principal"))
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
            raise InvalidInput(_("找不到该核验人。"), details={"verifier": [_("核验人不属于本轮短信核验。")]})
        if verifier.verified_at is None:
            now = timezone.now()
            verifier.verified_at, verifier.verified_by = now, by
            verifier.save(update_fields=["verified_at", "verified_by"])
            FilingEvent.objects.create(
                filing=locked,
                actor=by,
                at=now,
                transition="sms_verified",
                from_state=locked.state,
                to_state=locked.state,
                comment=_("%(name)s已完成短信核验。") % {"name": verifier.person.name},
                stage_visit=locked.stage_visit,
            )
        if all(v.verified_at for v in verifiers):
            _apply_transition(locked, "complete_sms", by=by, comment=_("全部核验人已完成短信核验。"))
    return locked


def expire_sms_window(filing: Filing, *, now: datetime | None = None) -> Filing:
    """Send a filing whose 24-hour SMS window passed back to entry (made by the scheduler)."""
    with transaction.atomic():
        locked = lock_filing(filing)
        _apply_transition(
            locked,
            "expire_sms",
            by=None,
            now=now,
            comment=_("短信核验未在24小时内完成,备案退回信息填报;重新提交后将收到新的短信。"),
            reasons=[
                {
                    "field": "sms",
                    "reason": _("短信核验未在24小时内完成"),
                    "suggested_fix": _("重新提交后,请在收到新短信的24小时内完成核验。"),
                    "code": "sms_timeout",
                }
            ],
        )
    return locked


def approve_filing(
    filing: Filing,
    *,
    by: Any,
    icp_number: str,
    website_numbers: dict[int, str] | None = None,
    comment: str = "",
) -> Filing:
    """Record the bureau's approval with the subject's ICP number and each website's number."""
    icp_number = (icp_number or "").strip()
    with transaction.atomic():
        locked = lock_filing(filing)
        # Refuse a wrong stage or actor before judging the number they typed.
        _refuse_unless_allowed(locked, "approve", by=by)
        try:
            validate_icp_subject_number(icp_number, abbreviation=locked.province.icp_abbreviation)
        except ValidationError as error:
            raise InvalidInput(error.messages[0], details={"icp_number": error.messages}) from error
        websites = list(locked.websites.select_for_update().order_by("position"))
        numbers = {w.pk: (website_numbers or {}).get(w.pk) or f"{icp_number}-{w.position}" for w in websites}
        for website in websites:
            try:
                validate_icp_website_number(numbers[website.pk], subject_number=icp_number)
            except ValidationError as error:
                raise InvalidInput(error.messages[0], details={"website_numbers": error.messages}) from error
        locked.icp_number = icp_number
        _apply_transition(
            locked, "approve", by=by, comment=comment or _("管局审核通过,备案号 %(n)s。") % {"n": icp_number}
        )
        for website in websites:
            website.icp_number = numbers[website.pk]
            website.save(update_fields=["icp_number"])
    return locked


def register_public_security(filing: Filing, *, by: Any, psb_number: str, comment: str = "") -> Filing:
    psb_number = (psb_number or "").strip()
    with transaction.atomic():
        locked = lock_filing(filing)
        if locked.psb_number:
            raise TransitionNotPossible(_("已记录公安联网备案号 %(n)s。") % {"n": locked.psb_number})
        _refuse_unless_allowed(locked, "register_public_security", by=by)
        if not psb_number or len(psb_number) > 32:
            raise InvalidInput(
                _("请填写公安联网备案号。"), details={"psb_number": [_("例如 京公网安备11010502030143号。")]}
            )
        locked.psb_number = psb_number
        _apply_transition(
            locked,
            "register_public_security",
            by=by,
            comment=comment or _("公安联网备案号 %(n)s。") % {"n": psb_number},
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


def perform_transition(
    filing: Filing,
    name: str,
    *,
    by: Any,
    comment: str = "",
    reasons: list[dict] | None = None,
    icp_number: str = "",
    website_numbers: dict | None = None,
    psb_number: str = "",
    verifier_id: int | None = None,
) -> Filing:
    """Run the transition a user asked for by name (the API's and the admin's single entry point)."""
    if name == "approve":
        numbers = {int(k): v for k, v in (website_numbers or {}).items() if str(k).isdigit()}
        return approve_filing(filing, by=by, icp_number=icp_number, website_numbers=numbers, comment=comment)
    if name == "register_public_security":
        return register_public_security(filing, by=by, psb_number=psb_number, comment=comment)
    if name == "complete_sms":
        if verifier_id is None:
            raise InvalidInput(_("请指定完成核验的核验人。"), details={"verifier_id": [_("请指定核验人。")]})
        return record_sms_verification(filing, verifier_id=verifier_id, by=by)
    if name == "pass_review":
        return pass_review(filing, by=by, comment=comment)
    services = {
        "submit": submit_filing,
        "withdraw": withdraw_filing,
        "return_to_entry": return_filing,
        "reject": reject_filing,
        "fail_sms": fail_sms_verification,
    }
    if name not in services:
        raise TransitionNotPossible(_("没有名为“%(name)s”的操作。") % {"name": name})
    return services[name](filing, by=by, comment=comment, reasons=reasons)


# Creating and editing drafts.

SUBJECT_FIELDS = [
    "kind",
    "name",
    "certificate_kind",
    "certificate_number",
    "licence_valid_from",
    "licence_valid_until",
    "licence_long_term",
    "business_scope",
    "city",
    "registered_address",
    "postal_address",
    "legal_representative",
]
PERSON_FIELDS = ["name", "id_kind", "id_number", "id_valid_until", "mobile", "emergency_phone", "email"]
WEBSITE_FIELDS = [
    "name",
    "homepage",
    "service_content",
    "description",
    "languages",
    "server_provider",
    "server_ip",
    "server_valid_until",
]
DOMAIN_FIELDS = [
    "name",
    "registrar",
    "registrant_name",
    "registrant_certificate_number",
    "real_name_verified_at",
    "expires_on",
]


def _assign(instance: Any, data: dict, fields: list[str], changes: list[dict], prefix: str) -> None:
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        if name == "name" and isinstance(instance, Domain):
            value = normalise_domain(value)
        old = getattr(instance, name)
        if old != value:
            if instance.pk is not None:
                changes.append({"field": f"{prefix}.{name}", "old": _jsonable(old), "new": _jsonable(value)})
            setattr(instance, name, value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


def _full_clean(instance: Any, field_prefix: str, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidInput(
            _("填写的信息有误,请检查标出的字段。"),
            details={f"{field_prefix}.{k}": v for k, v in error.message_dict.items()},
        ) from error


def _save_person(person: Person | None, data: dict, changes: list[dict], prefix: str) -> Person:
    person = person or Person()
    _assign(person, data, PERSON_FIELDS, changes, prefix)
    _full_clean(person, prefix)
    person.save()
    return person


def _save_websites(filing: Filing, websites_data: list[dict], changes: list[dict]) -> None:
    existing = {
        w.pk: w
        for w in filing.websites.select_related("principal").prefetch_related("domains", "prior_approvals")
    }
    kept: set[int] = set()
    for position, data in enumerate(websites_data, start=1):
        website = existing.get(data.get("id")) if data.get("id") else None
        prefix = f"websites.{position - 1}"
        if data.get("id") and website is None:
            raise InvalidInput(_("网站不属于该备案。"), details={f"{prefix}.id": [_("网站不存在。")]})
        website = website or Website(filing=filing)
        principal_data = data.get("principal") or {}
        principal = website.principal if website.pk else None
        if principal_data.get("same_as_subject_principal"):
            principal = filing.subject_principal
        elif principal is None or principal.pk == filing.subject_principal_id:
            principal = _save_person(None, principal_data, changes, f"{prefix}.principal")
        else:
            principal = _save_person(principal, principal_data, changes, f"{prefix}.principal")
        website.principal = principal
        website.position = position
        _assign(website, data, WEBSITE_FIELDS, changes, prefix)
        _full_clean(website, prefix, exclude=["filing", "principal"])
        # Move positions out of the way first so that reordering never trips the unique constraint.
        if website.pk:
            page_cache.filings_changed([website.filing_id])
            Website.objects.filter(pk=website.pk).update(position=1000 + position)
        website.save()
        kept.add(website.pk)
        _save_domains(website, data.get("domains", []), changes, prefix)
        _save_prior_approvals(website, data.get("prior_approvals", []), changes, prefix)
    for pk, website in existing.items():
        if pk not in kept:
            changes.append({"field": "websites", "old": website.name, "new": None})
            website.delete()
    max_per_website = filing.province.max_domains_per_website
    if max_per_website:
        for index, data in enumerate(websites_data):
            if len(data.get("domains", [])) > max_per_website:
                raise InvalidInput(
                    _("%(province)s每个网站最多%(n)s个域名。")
                    % {"province": filing.province.short_name, "n": max_per_website},
                    details={f"websites.{index}.domains": [_("域名数量超过本省限制。")]},
                )


def _save_domains(website: Website, domains_data: list[dict], changes: list[dict], prefix: str) -> None:
    existing = {d.pk: d for d in website.domains.all()}
    kept: set[int] = set()
    seen_names: set[str] = set()
    for index, data in enumerate(domains_data):
        domain_prefix = f"{prefix}.domains.{index}"
        domain = existing.get(data.get("id")) if data.get("id") else None
        domain = domain or Domain(website=website)
        try:
            _assign(domain, data, DOMAIN_FIELDS, changes, domain_prefix)
        except ValidationError as error:
            raise InvalidInput(
                error.messages[0], details={f"{domain_prefix}.name": error.messages}
            ) from error
        if domain.name in seen_names:
            raise InvalidInput(
                _("同一网站的域名不能重复。"), details={f"{domain_prefix}.name": [_("域名重复。")]}
            )
        seen_names.add(domain.name)
        _full_clean(domain, domain_prefix, exclude=["website"])
        domain.save()
        kept.add(domain.pk)
    for pk, domain in existing.items():
        if pk not in kept:
            changes.append({"field": f"{prefix}.domains", "old": domain.name, "new": None})
            domain.delete()


def _save_prior_approvals(website: Website, items: list[dict], changes: list[dict], prefix: str) -> None:
    existing = {a.category: a for a in website.prior_approvals.all()}
    wanted = {}
    for index, item in enumerate(items):
        approval = existing.get(item.get("category")) or PriorApproval(website=website)
        approval.category = item.get("category", "")
        approval.licence_number = item.get("licence_number", "")
        _full_clean(approval, f"{prefix}.prior_approvals.{index}", exclude=["website"])
        wanted[approval.category] = approval
    for category, approval in existing.items():
        if category not in wanted:
            changes.append({"field": f"{prefix}.prior_approvals", "old": category, "new": None})
            approval.delete()
    for approval in wanted.values():
        approval.save()


def _refuse_second_open_filing(certificate_number: str) -> None:
    """Refuse a new draft while the same certificate number (a second subject row) has an open filing."""
    if connection.vendor == "postgresql":
        # Serialise creations for one certificate number so that two at once cannot both pass the check.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [certificate_number.upper()])
    if Filing.objects.filter(
        subject__certificate_number__iexact=certificate_number, state__in=OPEN_STATES
    ).exists():
        raise InvalidInput(
            _("该主体已有一个进行中的备案,请先完成或撤回。"),
            details={"subject": [_("同一主体同时只能有一个进行中的备案。")]},
        )


def create_filing(
    *,
    by: Any,
    province_id: int,
    filing_type: str,
    subject: dict,
    subject_principal: dict,
    websites: list[dict],
    subject_id: int | None = None,
) -> Filing:
    """Create a draft filing in entry with its subject, people, websites and domains."""
    now = timezone.now()
    changes: list[dict] = []
    try:
        with transaction.atomic():
            if subject_id is not None:
                subject_obj = Subject.objects.filter(pk=subject_id, filings__assignee=by).distinct().get()
            else:
                subject_obj = Subject(province_id=province_id)
            _assign(subject_obj, subject, SUBJECT_FIELDS, changes, "subject")
            _full_clean(subject_obj, "subject", exclude=["province"])
            _refuse_second_open_filing(subject_obj.certificate_number)
            subject_obj.save()
            person = _save_person(None, subject_principal, changes, "subject_principal")
            filing = Filing(
                filing_type=filing_type,
                subject=subject_obj,
                province_id=province_id,
                subject_principal=person,
                assignee=by,
                created_at=now,
                updated_at=now,
                stage_entered_at=now,
            )
            _full_clean(
                filing, "filing", exclude=["subject", "province", "subject_principal", "assignee", "state"]
            )
            filing.save()
            _save_websites(filing, websites, changes)
            FilingEvent.objects.create(
                filing=filing,
                actor=by,
                at=now,
                transition="create",
                from_state="",
                to_state=filing.state,
                comment=_("创建备案草稿。"),
            )
            deadlines.open_stage_deadlines(filing, now=now)
    except IntegrityError as error:
        raise InvalidInput(
            _("该主体已有一个进行中的备案,请先完成或撤回。"),
            details={"subject": [_("同一主体同时只能有一个进行中的备案。")]},
        ) from error
    except Subject.DoesNotExist as error:
        raise InvalidInput(_("找不到该备案主体。"), details={"subject_id": [_("主体不存在。")]}) from error
    return filing


def update_filing(
    filing: Filing,
    *,
    by: Any,
    expected_version: int,
    subject: dict | None = None,
    subject_principal: dict | None = None,
    websites: list[dict] | None = None,
    filing_type: str | None = None,
) -> Filing:
    """Save changes to a draft; the caller's version must be current (else a conflict)."""
    now = timezone.now()
    changes: list[dict] = []
    with transaction.atomic():
        locked = lock_filing(filing, expected_version=expected_version)
        if not transition_perms.can_edit_filing(by, locked):
            raise TransitionNotPermitted(_("只有该备案的服务负责人可以修改。"))
        if locked.state not in EDITABLE_STATES:
            raise TransitionNotPossible(
                _("备案处于“%(state)s”阶段,不能修改。") % {"state": locked.get_state_display()}
            )
        if filing_type and filing_type != locked.filing_type:
            changes.append({"field": "filing_type", "old": locked.filing_type, "new": filing_type})
            locked.filing_type = filing_type
        if subject:
            _assign(locked.subject, subject, SUBJECT_FIELDS, changes, "subject")
            _full_clean(locked.subject, "subject", exclude=["province"])
            locked.subject.save()
        if subject_principal:
            _save_person(locked.subject_principal, subject_principal, changes, "subject_principal")
        if websites is not None:
            _save_websites(locked, websites, changes)
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=["filing_type", "version", "updated_at"])
        FilingEvent.objects.create(
            filing=locked,
            actor=by,
            at=now,
            transition="edit",
            from_state=locked.state,
            to_state=locked.state,
            comment=_("修改了 %(n)s 处信息。") % {"n": len(changes)},
            reasons=changes,
            stage_visit=locked.stage_visit,
        )
        deadlines.restart_stale_entry_deadline(locked, now=now)
    return locked


def upload_material(
    filing: Filing,
    *,
    by: Any,
    kind: str,
    upload: Any,
    person_id: int | None = None,
    website_id: int | None = None,
) -> Material:
    """Store a new version of a material with its quality-check results; old versions stay."""
    from django.conf import settings

    from filings import scans

    if kind not in Material.Kind.values:
        raise InvalidInput(_("材料类型不正确。"), details={"kind": [_("请选择材料类型。")]})
    if not transition_perms.can_edit_filing(by, filing):
        raise TransitionNotPermitted(_("只有该备案的服务负责人可以上传材料。"))
    if filing.state not in EDITABLE_STATES:
        raise TransitionNotPossible(
            _("备案处于“%(state)s”阶段,不能上传材料。") % {"state": filing.get_state_display()}
        )
    try:
        result = scans.inspect_upload(upload, material_kind=kind, max_bytes=settings.MATERIAL_MAX_BYTES)
    except scans.UploadRejected as error:
        raise InvalidInput(error.message, code=error.code, details={"file": [error.message]}) from error
    slot = f"person:{person_id}" if person_id else (f"website:{website_id}" if website_id else "")
    with transaction.atomic():
        locked = lock_filing(filing)
        if person_id and not _person_belongs(locked, person_id):
            raise InvalidInput(_("负责人不属于该备案。"), details={"person": [_("请选择本备案的负责人。")]})
        if website_id and not locked.websites.filter(pk=website_id).exists():
            raise InvalidInput(_("网站不属于该备案。"), details={"website": [_("请选择本备案的网站。")]})
        current = (
            Material.objects.filter(filing=locked, kind=kind, slot=slot).aggregate(v=Max("version"))["v"] or 0
        )
        material = Material(
            filing=locked,
            kind=kind,
            slot=slot,
            person_id=person_id,
            website_id=website_id,
            version=current + 1,
            original_name=(getattr(upload, "name", "") or "")[:200],
            content_type=result.content_type,
            size=result.size,
            sha256=result.sha256,
            width=result.width,
            height=result.height,
            dpi=result.dpi,
            check_status=result.status,
            check_results=result.as_json(),
            uploaded_by=by,
        )
        upload.seek(0)
        material.file.save("upload", upload, save=False)
        material.save()
        FilingEvent.objects.create(
            filing=locked,
            actor=by,
            transition="upload",
            from_state=locked.state,
            to_state=locked.state,
            comment=_("上传%(kind)s 第%(v)s版:%(status)s")
            % {
                "kind": material.get_kind_display(),
                "v": material.version,
                "status": material.get_check_status_display(),
            },
            stage_visit=locked.stage_visit,
        )
        deadlines.restart_stale_entry_deadline(locked, now=timezone.now())
    return material


def _person_belongs(filing: Filing, person_id: int) -> bool:
    return person_id == filing.subject_principal_id or filing.websites.filter(principal_id=person_id).exists()


def sha256_of(fileobj: Any) -> str:
    digest = hashlib.sha256()
    for chunk in fileobj.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def publish_calendar_year(*, year: int, notice: str = "", by: Any = None) -> int:
    """Mark a year's official calendar as entered and recompute open provisional deadlines."""
    CalendarYear.objects.update_or_create(year=year, defaults={"official": True, "notice": notice})
    return deadlines.recompute_provisional_deadlines()


# Deadline alerts.


def acknowledge_alert(alert: Alert, *, by: Any) -> Alert:
    """Record that someone took charge of an alert (the first acknowledgement stands) and mark it
    read in their inbox."""
    now = timezone.now()
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is None:
            locked.acknowledged_by, locked.acknowledged_at = by, now
            locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        Notification.objects.filter(alert=locked, user=by, read_at__isnull=True).update(read_at=now)
        page_cache.users_changed([by.pk])
    return locked


def mark_alerts_read(*, by: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's inbox rows read (all unread ones when no ids are given); return how many."""
    unread = Notification.objects.filter(user=by, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    page_cache.users_changed([by.pk])
    return unread.update(read_at=timezone.now())
