"""Drafts: create a filing with its subject, people, websites and domains, and save changes to it."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import InvalidInput, Problems, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import EDITABLE_STATES
from filings.models import Domain, Filing, FilingEvent, Person, Subject, Website
from filings.models import transition_rules as transition_perms
from filings.models.wording import Said, said
from filings.rules import change_rules, deadlines
from filings.rules.fields import DOMAIN_FIELDS, SUBJECT_FIELDS, WEBSITE_FIELDS
from filings.services import alert_raising
from filings.services.draft_parts import (
    assign,
    full_clean,
    refuse_second_open_filing,
    save_person,
    save_prior_approvals,
    second_open_filing_refused,
)
from filings.services.transitions import lock_filing

# Added to the positions of a draft's websites or apps while they are numbered anew (a draft holds
# at most 20 of each).
POSITIONS_OUT_OF_THE_WAY = 1000


def save_item_principal(filing: Filing, item: Any, data: dict, changes: list[dict], prefix: str) -> Person:
    """Return the principal a website or app is to have: the subject's principal when the entry says
    so, else its own person (a new one when it shared the subject's until now), saved."""
    principal_data = data.get("principal") or {}
    if principal_data.get("same_as_subject_principal"):
        return filing.subject_principal
    principal = item.principal if item.pk else None
    if principal is None or principal.pk == filing.subject_principal_id:
        principal = None
    return save_person(principal, principal_data, changes, f"{prefix}.principal")


def lock_editable_draft(filing: Filing, *, by: Any, expected_version: int) -> Filing:
    """Lock a draft for saving; the caller's version must be current, the caller its principal and
    the filing in a state that may be edited."""
    locked = lock_filing(filing, expected_version=expected_version)
    if not transition_perms.can_edit_filing(by, locked):
        raise TransitionNotPermitted(_("只有该备案的服务负责人可以修改。"))
    if locked.state not in EDITABLE_STATES:
        raise TransitionNotPossible(
            _("备案处于“%(state)s”阶段,不能修改。") % {"state": locked.get_state_display()}
        )
    return locked


def _save_websites(filing: Filing, websites_data: list[dict], changes: list[dict]) -> None:
    """Save the websites and their domains, judging every one before refusing any (all problems at once)."""
    existing = {
        w.pk: w
        for w in filing.websites.select_related("principal").prefetch_related("domains", "prior_approvals")
    }
    # Positions are unique per filing: move every kept one out of the way before numbering anew.
    filing.websites.update(position=F("position") + POSITIONS_OUT_OF_THE_WAY)
    saved_ids: set[int] = set()
    problems = Problems()
    max_per_website = filing.province.max_domains_per_website
    for position, data in enumerate(websites_data, start=1):
        prefix = f"websites.{position - 1}"
        with problems.part():
            if max_per_website and len(data.get("domains", [])) > max_per_website:
                raise InvalidInput(
                    _("%(province)s每个网站最多%(n)s个域名。")
                    % {"province": filing.province.short_name, "n": max_per_website},
                    details={f"{prefix}.domains": [_("域名数量超过本省限制。")]},
                )
        with problems.part():
            website = existing.get(data.get("id")) if data.get("id") else None
            if data.get("id") and website is None:
                raise InvalidInput(_("网站不属于该备案。"), details={f"{prefix}.id": [_("网站不存在。")]})
            website = website or Website(filing=filing)
            website.principal = save_item_principal(filing, website, data, changes, prefix)
            website.position = position
            assign(website, data, WEBSITE_FIELDS, changes, prefix)
            full_clean(website, prefix, exclude=["filing", "principal"])
            website.save()
            saved_ids.add(website.pk)
            _save_domains(website, data.get("domains", []), changes, prefix, problems)
            save_prior_approvals(website, data.get("prior_approvals", []), changes, prefix)
    problems.raise_any()
    for pk, website in existing.items():
        if pk not in saved_ids:
            changes.append({"field": "websites", "old": website.name, "new": None})
            website.delete()


def _save_domains(
    website: Website, domains_data: list[dict], changes: list[dict], prefix: str, problems: Problems
) -> None:
    existing = {d.pk: d for d in website.domains.all()}
    saved_ids: set[int] = set()
    seen_names: set[str] = set()
    for index, data in enumerate(domains_data):
        domain_prefix = f"{prefix}.domains.{index}"
        domain = existing.get(data.get("id")) if data.get("id") else None
        domain = domain or Domain(website=website)
        with problems.part():
            try:
                assign(domain, data, DOMAIN_FIELDS, changes, domain_prefix)
            except ValidationError as error:
                raise InvalidInput(
                    error.messages[0], details={f"{domain_prefix}.name": error.messages}
                ) from error
            if domain.name in seen_names:
                raise InvalidInput(
                    _("同一网站的域名不能重复。"), details={f"{domain_prefix}.name": [_("域名重复。")]}
                )
            seen_names.add(domain.name)
            full_clean(domain, domain_prefix, exclude=["website"])
            domain.save()
            saved_ids.add(domain.pk)
    for pk, domain in existing.items():
        if pk not in saved_ids:
            changes.append({"field": f"{prefix}.domains", "old": domain.name, "new": None})
            domain.delete()


def start_draft_history(filing: Filing, *, by: Any, now: datetime, comment: Said) -> None:
    """Write a new draft's first history row and open its entry-stage deadlines."""
    FilingEvent.objects.create(
        filing=filing,
        actor=by,
        at=now,
        transition="create",
        from_state="",
        to_state=filing.state,
        **FilingEvent.comment_fields(comment),
    )
    deadlines.open_stage_deadlines(filing, now=now)


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
            assign(subject_obj, subject, SUBJECT_FIELDS, changes, "subject")
            full_clean(subject_obj, "subject", exclude=["province"])
            refuse_second_open_filing(subject_obj.certificate_number, by=by)
            subject_obj.save()
            person = save_person(None, subject_principal, changes, "subject_principal")
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
            full_clean(
                filing, "filing", exclude=["subject", "province", "subject_principal", "assignee", "state"]
            )
            filing.save()
            _save_websites(filing, websites, changes)
            start_draft_history(filing, by=by, now=now, comment=said(gettext_noop("创建备案草稿。")))
    except IntegrityError as error:
        raise second_open_filing_refused(subject_obj.certificate_number, by=by) from error
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
        locked = lock_editable_draft(filing, by=by, expected_version=expected_version)
        if filing_type and filing_type != locked.filing_type:
            changes.append({"field": "filing_type", "old": locked.filing_type, "new": filing_type})
            locked.filing_type = filing_type
        if subject:
            refuse_identity_change(locked, subject)
            assign(locked.subject, subject, SUBJECT_FIELDS, changes, "subject")
            full_clean(locked.subject, "subject", exclude=["province"])
            locked.subject.save()
        if subject_principal:
            save_person(locked.subject_principal, subject_principal, changes, "subject_principal")
        if websites is not None:
            _save_websites(locked, websites, changes)
        save_draft_edit(locked, by=by, now=now, changes=changes, fields=["filing_type"])
    return locked


def refuse_identity_change(filing: Filing, subject: dict) -> None:
    """Refuse a change's subject data that name another subject (certificate number or kind, or
    subject kind), saying why and how to file it instead."""
    published = change_rules.published_subject_of(filing)
    if published is None:
        return
    found = change_rules.identity_changes(published, subject)
    if found:
        raise InvalidInput(
            f"{found[0].message}{found[0].fix}",
            details={change.field: [f"{change.message}{change.fix}"] for change in found},
        )


def save_draft_edit(
    filing: Filing, *, by: Any, now: datetime, changes: list[dict], fields: list[str] | None = None
) -> None:
    """Save an edited draft (its changed fields, if any) as a new version, write one history row
    listing the changes and restart its stale-entry clock."""
    filing.version += 1
    filing.updated_at = now
    filing.save(update_fields=[*(fields or []), "version", "updated_at"])
    FilingEvent.record_step(
        filing,
        transition="edit",
        by=by,
        at=now,
        comment=said(gettext_noop("修改了 %(n)s 处信息。"), n=len(changes)),
        reasons=changes,
    )
    restart_stale_entry(filing, now=now)


def restart_stale_entry(filing: Filing, *, now: datetime) -> None:
    """Restart a changed draft's stale-entry clock; reminders already sent are withdrawn so that
    the 7/15/30-day reminders count again from this change."""
    restarted = deadlines.restart_stale_entry_deadline(filing, now=now)
    if restarted:
        alert_raising.reconcile_alerts(
            restarted, now=now, reason=gettext_noop("备案信息已更新,停滞提醒重新计时。")
        )
