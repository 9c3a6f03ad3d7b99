"""Changes (变更备案): open a draft copy of a published filing, and on the bureau's approval write the
changed values over the published ones, keeping the ICP numbers, with the old values in the history."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import OpenFilingExists, TransitionNotPermitted, TransitionNotPossible
from filings.kinds import Approval, codes
from filings.kinds.states import OPEN_STATES, State
from filings.models import (
    AppPlatform,
    Domain,
    Filing,
    FilingEvent,
    Person,
    Subject,
    Website,
)
from filings.models import transition_rules as transition_perms
from filings.models.wording import said
from filings.rules import change_diff
from filings.services.draft_parts import refuse_second_open_filing
from filings.services.drafts import start_draft_history
from filings.services.transitions import apply_transition, lock_filing, refuse_unless_allowed

# Follow-ups of a published filing (changes, cancellations) that may not run side by side.
FOLLOWUP_TYPES = codes(acts_on_target=True)


def refuse_open_followup(target: Filing, *, by: Any) -> None:
    """Refuse while the subject already has a change or cancellation under way, or any open filing;
    the refusal names the one under way only to a user who may see it."""
    subjects = Subject.objects.filter(certificate_number__iexact=target.subject.certificate_number).values(
        "pk"
    )
    open_followup = (
        Filing.objects.filter(
            target__subject_id__in=subjects, filing_type__in=FOLLOWUP_TYPES, state__in=OPEN_STATES
        )
        .order_by("pk")
        .first()
    )
    if open_followup is not None:
        details = {"target": [_("同一主体同时只能有一个进行中的变更或注销。")]}
        if not transition_perms.can_view_filing(by, open_followup):
            raise OpenFilingExists(
                _("该主体已有一个进行中的%(type)s,同一主体同时只能有一个,请先完成或撤回。")
                % {"type": open_followup.type_label},
                details=details,
            )
        raise OpenFilingExists(
            _("该主体已有一个进行中的%(type)s(编号 %(id)s),同一主体同时只能有一个,请先完成或撤回。")
            % {"type": open_followup.type_label, "id": open_followup.pk},
            details=details,
            open_filing=open_followup,
        )
    refuse_second_open_filing(target.subject.certificate_number, by=by)


def lock_followup_target(
    target: Filing, *, by: Any, not_yours: str, not_published: str, not_main: str
) -> Filing:
    """Lock the published filing a change or cancellation starts from, refusing (with the caller's
    messages) a user who is not its principal, a filing not published, or a follow-up itself."""
    target = lock_filing(target)
    if not transition_perms.can_edit_filing(by, target):
        raise TransitionNotPermitted(not_yours)
    if target.state != State.PUBLISHED:
        raise TransitionNotPossible(not_published)
    if target.kind.acts_on_target:
        raise TransitionNotPossible(not_main)
    return target


def create_followup(target: Filing, *, filing_type: str, by: Any, now: datetime, **copies: Any) -> Filing:
    """Create a follow-up draft of a published filing, under its ICP and public-security numbers;
    copies name the subject and principal when the follow-up holds its own copies of them."""
    return Filing.objects.create(
        filing_type=filing_type,
        target=target,
        subject=copies.get("subject", target.subject),
        province=target.province,
        subject_principal=copies.get("subject_principal", target.subject_principal),
        assignee=by,
        icp_number=target.icp_number,
        psb_number=target.psb_number,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
    )


def _copy(instance: Any, **values: Any) -> Any:
    instance.pk = None
    instance.id = None
    instance._state.adding = True
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()
    return instance


def open_change(target: Filing, *, by: Any) -> Filing:
    """Open a change of a published filing: a draft (in entry) holding a copy of its subject, people
    and websites, which the principal edits; the published data stay as they are until approval."""
    now = timezone.now()
    with transaction.atomic():
        target = lock_followup_target(
            target,
            by=by,
            not_yours=_("只有该备案的服务负责人可以办理变更。"),
            not_published=_("只有已公示的备案可以变更(当前阶段:%(state)s)。")
            % {"state": target.get_state_display()},
            not_main=_("请在主体的网站或APP备案上办理变更。"),
        )
        refuse_open_followup(target, by=by)
        people: dict[int, Person] = {}

        def person_copy(person: Person) -> Person:
            if person.pk not in people:
                original = person.pk
                people[original] = _copy(Person.objects.get(pk=original))
            return people[person.pk]

        change = create_followup(
            target,
            filing_type=Filing.Type.CHANGE,
            by=by,
            now=now,
            subject=_copy(Subject.objects.get(pk=target.subject_id)),
            subject_principal=person_copy(target.subject_principal),
        )
        for website in target.websites.select_related("principal").prefetch_related(
            "domains", "prior_approvals"
        ):
            domains, approvals = list(website.domains.all()), list(website.prior_approvals.all())
            copy = _copy(
                website, filing=change, source_id=website.pk, principal=person_copy(website.principal)
            )
            for domain in domains:
                _copy(domain, website=copy)
            for approval in approvals:
                _copy(approval, website=copy)
        for app in target.apps.select_related("principal").prefetch_related("platforms", "prior_approvals"):
            platforms, approvals = list(app.platforms.all()), list(app.prior_approvals.all())
            copy = _copy(app, filing=change, source_id=app.pk, principal=person_copy(app.principal))
            for platform in platforms:
                _copy(platform, app=copy)
            for approval in approvals:
                _copy(approval, app=copy)
        start_draft_history(
            change,
            by=by,
            now=now,
            comment=said(gettext_noop("为备案 %(number)s 开始变更备案。"), number=target.icp_number),
        )
        FilingEvent.record_step(
            target,
            transition="change_opened",
            by=by,
            at=now,
            comment=said(gettext_noop("开始变更备案(编号 %(id)s),审核通过前公示信息不变。"), id=change.pk),
        )
    return change


def approve_change(change: Filing, *, by: Any, comment: str = "") -> Filing:
    """Record the bureau's approval of a change: the changed values replace the published ones under
    the same ICP numbers, and the published filing's history keeps the old values."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_filing(change)
        refuse_unless_allowed(locked, locked.approve, by=by)
        if locked.kind.approval != Approval.APPLY_CHANGE or locked.target_id is None:
            raise TransitionNotPossible(_("这不是一个变更备案。"))
        target = lock_filing(locked.target)
        parts = change_diff.change_diff(locked)
        apply_transition(
            locked,
            locked.approve,
            by=by,
            comment=comment
            or said(gettext_noop("管局审核通过,变更已生效,备案号 %(n)s 不变。"), n=target.icp_number),
        )
        _write_over(locked, target)
        _write_over_apps(locked, target)
        draft_subject = locked.subject
        locked.subject = target.subject
        locked.save(update_fields=["subject"])
        if draft_subject.pk != target.subject_id and not draft_subject.filings.exists():
            draft_subject.delete()
        FilingEvent.record_step(
            target,
            transition="change_applied",
            by=by,
            at=now,
            comment=said(
                gettext_noop("变更备案(编号 %(id)s)已生效,共 %(n)s 处。"), id=locked.pk, n=len(parts.rows)
            ),
            reasons=[
                {
                    "field": row.field,
                    "section": row.section,
                    "label": row.label,
                    "old": row.old,
                    "new": row.new,
                }
                for row in parts.rows
            ],
        )
        target.version += 1
        target.updated_at = now
        target.save(update_fields=["version", "updated_at"])
    return locked


def _set(instance: Any, source: Any, fields: list[str]) -> None:
    for name in fields:
        setattr(instance, name, getattr(source, name))
    instance.save(update_fields=fields)


def _write_over(change: Filing, target: Filing) -> None:
    _set(target.subject, change.subject, change_diff.SUBJECT_FIELDS)
    _set(target.subject_principal, change.subject_principal, change_diff.PERSON_FIELDS)
    for copy in change.websites.select_related("principal", "source__principal"):
        website = copy.source
        if website is None:
            continue
        _set(website, copy, change_diff.WEBSITE_FIELDS)
        _write_over_principal(website, copy, change, target)
        _sync_domains(website, copy)
        _replace_prior_approvals(website, copy)


def _write_over_apps(change: Filing, target: Filing) -> None:
    for copy in change.apps.select_related("principal", "source__principal"):
        app = copy.source
        if app is None:
            continue
        _set(app, copy, change_diff.APP_FIELDS)
        _write_over_principal(app, copy, change, target)
        app.platforms.all().delete()
        for platform in copy.platforms.all():
            AppPlatform.objects.create(
                app=app, **{f: getattr(platform, f) for f in ["platform", *change_diff.PLATFORM_FIELDS]}
            )
        _replace_prior_approvals(app, copy)


def _replace_prior_approvals(item: Any, copy: Any) -> None:
    """Give a published website or app the prior approvals its copy in the change has."""
    item.prior_approvals.all().delete()
    for approval in copy.prior_approvals.all():
        item.prior_approvals.create(category=approval.category, licence_number=approval.licence_number)


def _write_over_principal(item: Any, copy: Any, change: Filing, target: Filing) -> None:
    """Give a published website or app the principal its copy in the change has."""
    if copy.principal_id == change.subject_principal_id:
        item.principal = target.subject_principal
    elif item.principal_id != target.subject_principal_id:
        _set(item.principal, copy.principal, change_diff.PERSON_FIELDS)
    else:
        # The item now has a principal of its own: the change's person becomes it.
        item.principal = copy.principal
    item.save(update_fields=["principal"])


def _sync_domains(website: Website, copy: Website) -> None:
    wanted = {d.name: d for d in copy.domains.all()}
    for domain in website.domains.all():
        if domain.name not in wanted:
            domain.delete()
    existing = {d.name: d for d in website.domains.all()}
    for name, draft in wanted.items():
        domain = existing.get(name) or Domain(website=website, name=name)
        for field in change_diff.DOMAIN_FIELDS:
            setattr(domain, field, getattr(draft, field))
        domain.save()
