"""The pieces every draft service shares: copying entered values onto a row while noting what
changed, validating it with the field names the entry uses, saving a person, and refusing a second
open filing of a subject."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from filings.exceptions import InvalidInput, OpenFilingExists
from filings.formats.validators import filed_domain
from filings.kinds.states import OPEN_STATES
from filings.models import Domain, Filing, Person
from filings.models.transition_rules import can_view_filing
from filings.rules.fields import PERSON_FIELDS


def assign(instance: Any, data: dict, fields: list[str], changes: list[dict], prefix: str) -> None:
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        if name == "name" and isinstance(instance, Domain):
            value = filed_domain(value)
        old = getattr(instance, name)
        if old != value:
            if instance.pk is not None:
                changes.append({"field": f"{prefix}.{name}", "old": _jsonable(old), "new": _jsonable(value)})
            setattr(instance, name, value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


def full_clean(instance: Any, field_prefix: str, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidInput(
            _("填写的信息有误,请检查标出的字段。"),
            details={f"{field_prefix}.{k}": v for k, v in error.message_dict.items()},
        ) from error


def save_person(person: Person | None, data: dict, changes: list[dict], prefix: str) -> Person:
    person = person or Person()
    assign(person, data, PERSON_FIELDS, changes, prefix)
    full_clean(person, prefix)
    person.save()
    return person


def refuse_second_open_filing(certificate_number: str, *, by: Any) -> None:
    """Refuse a new draft while the same certificate number (a second subject row) has an open filing."""
    if connection.vendor == "postgresql":
        # Serialise creations for one certificate number so that two at once cannot both pass the check.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [certificate_number.upper()])
    if Filing.objects.filter(
        subject__certificate_number__iexact=certificate_number, state__in=OPEN_STATES
    ).exists():
        raise second_open_filing_refused(certificate_number, by=by)


def second_open_filing_refused(certificate_number: str, *, by: Any) -> OpenFilingExists:
    """The error for a second open filing of the subject with this certificate number (also when the
    one-open-filing-per-subject constraint refused it). It names the open filing to a user who may
    see it; to anyone else that would show another customer's filing, so it does not."""
    details = {"subject": [_("同一主体同时只能有一个进行中的备案。")]}
    under_way = (
        Filing.objects.filter(subject__certificate_number__iexact=certificate_number, state__in=OPEN_STATES)
        .order_by("pk")
        .first()
    )
    if under_way is None or not can_view_filing(by, under_way):
        return OpenFilingExists(_("该主体已有一个进行中的备案,请先完成或撤回。"), details=details)
    return OpenFilingExists(
        _("该主体已有一个进行中的%(type)s(编号 %(id)s,%(state)s),请先完成或撤回。")
        % {"type": under_way.type_label, "id": under_way.pk, "state": under_way.state_label},
        details=details,
        open_filing=under_way,
    )


def save_prior_approvals(item: Any, items: list[dict], changes: list[dict], prefix: str) -> None:
    """Give a website or app the prior approvals entered for it, noting each one added, dropped or
    given another licence number in `changes`."""
    relation = item.prior_approvals
    existing = {a.category: a for a in relation.all()}
    wanted = {}
    for index, data in enumerate(items):
        approval = existing.get(data.get("category")) or relation.model(**{relation.field.name: item})
        old_licence = approval.licence_number if approval.pk else None
        approval.category = data.get("category", "")
        approval.licence_number = data.get("licence_number", "")
        full_clean(approval, f"{prefix}.prior_approvals.{index}", exclude=[relation.field.name])
        if old_licence != approval.licence_number:
            changes.append(
                {
                    "field": f"{prefix}.prior_approvals",
                    "old": old_licence and f"{approval.category} {old_licence}",
                    "new": f"{approval.category} {approval.licence_number}",
                }
            )
        wanted[approval.category] = approval
    for category, approval in existing.items():
        if category not in wanted:
            changes.append({"field": f"{prefix}.prior_approvals", "old": category, "new": None})
            approval.delete()
    for approval in wanted.values():
        approval.save()
