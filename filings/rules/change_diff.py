"""What a change (变更备案) changes: its draft copy compared field by field with the published filing."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from filings.kinds import Approval
from filings.kinds.states import State
from filings.models import App, AppPlatform, Domain, Filing, Person, Website
from filings.rules import fields

# Domains and platforms are matched by name and platform code; the rest of their fields compare.
DOMAIN_FIELDS = [name for name in fields.DOMAIN_FIELDS if name != "name"]
PLATFORM_FIELDS = [name for name in fields.APP_PLATFORM_FIELDS if name != "platform"]
SUBJECT_FIELDS, PERSON_FIELDS = fields.SUBJECT_FIELDS, fields.PERSON_FIELDS
WEBSITE_FIELDS, APP_FIELDS = fields.WEBSITE_FIELDS, fields.APP_FIELDS


@dataclass
class FieldChange:
    """One changed field: its section ("主体", "网站 1"…), its name, and the published and new values."""

    section: str
    field: str
    label: str
    old: str
    new: str


@dataclass
class ChangedParts:
    rows: list[FieldChange] = field(default_factory=list)
    subject: bool = False
    subject_principal: bool = False
    # Ids of the change's own rows (its copies) whose data differ from the published ones.
    people: set[int] = field(default_factory=set)
    websites: set[int] = field(default_factory=set)
    apps: set[int] = field(default_factory=set)
    added_websites: list[str] = field(default_factory=list)
    removed_websites: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.rows or self.added_websites or self.removed_websites)


def _shown(instance: Any, name: str) -> str:
    value = getattr(instance, name)
    display = getattr(instance, f"get_{name}_display", None)
    if display is not None and value not in (None, ""):
        return str(display())
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def _compare(old: Any, new: Any, fields: list[str], section: str, prefix: str, parts: ChangedParts) -> bool:
    changed = False
    for name in fields:
        if getattr(old, name) != getattr(new, name):
            label = str(type(new)._meta.get_field(name).verbose_name)
            parts.rows.append(
                FieldChange(section, f"{prefix}.{name}", label, _shown(old, name), _shown(new, name))
            )
            changed = True
    return changed


def _compare_domains(source: Website, copy: Website, section: str, parts: ChangedParts) -> bool:
    old = {d.name: d for d in source.domains.all()}
    new = {d.name: d for d in copy.domains.all()}
    changed = False
    label = str(Domain._meta.verbose_name)
    for name in sorted(old.keys() - new.keys()):
        parts.rows.append(FieldChange(section, "domain.name", label, name, "—"))
        changed = True
    for name in sorted(new.keys() - old.keys()):
        parts.rows.append(FieldChange(section, "domain.name", label, "—", name))
        changed = True
    for name in sorted(old.keys() & new.keys()):
        changed = (
            _compare(old[name], new[name], DOMAIN_FIELDS, f"{section} · {name}", "domain", parts) or changed
        )
    return changed


def _approvals(item: Website | App) -> str:
    return (
        "、".join(f"{a.get_category_display()} {a.licence_number}" for a in item.prior_approvals.all()) or "—"
    )


def _compare_platforms(source: App, copy: App, section: str, parts: ChangedParts) -> bool:
    old = {p.platform: p for p in source.platforms.all()}
    new = {p.platform: p for p in copy.platforms.all()}
    changed = False
    label = str(AppPlatform._meta.verbose_name)
    for code in sorted(old.keys() | new.keys()):
        if code not in new or code not in old:
            shown = (old.get(code) or new[code]).get_platform_display()
            was = f"{shown} {old[code].package_name}" if code in old else "—"
            now = f"{shown} {new[code].package_name}" if code in new else "—"
            parts.rows.append(FieldChange(section, "app.platforms", label, was, now))
            changed = True
            continue
        platform_section = f"{section} · {old[code].get_platform_display()}"
        changed = (
            _compare(old[code], new[code], PLATFORM_FIELDS, platform_section, "app.platforms", parts)
            or changed
        )
    return changed


def change_diff(change: Filing) -> ChangedParts:
    """Return what the change's draft changes against the published filing it targets."""
    parts = ChangedParts()
    target = change.target
    if target is None:
        return parts
    parts.subject = _compare(target.subject, change.subject, SUBJECT_FIELDS, _("主体"), "subject", parts)
    if _compare(
        target.subject_principal,
        change.subject_principal,
        PERSON_FIELDS,
        _("主体负责人"),
        "subject_principal",
        parts,
    ):
        parts.subject_principal = True
        parts.people.add(change.subject_principal_id)
    _compare_items(
        change,
        target,
        parts,
        relation="websites",
        fields=WEBSITE_FIELDS,
        code="website",
        label=_("网站"),
        section_label=_("网站 %(n)s"),
        principal_label=_("%(section)s · 网站负责人"),
        compare_children=_compare_domains,
        changed_ids=parts.websites,
    )
    _compare_items(
        change,
        target,
        parts,
        relation="apps",
        fields=APP_FIELDS,
        code="app",
        label=_("应用"),
        section_label=_("应用 %(n)s"),
        principal_label=_("%(section)s · 应用负责人"),
        compare_children=_compare_platforms,
        changed_ids=parts.apps,
    )
    return parts


def open_change_rows(filing: Filing) -> list[FieldChange]:
    """Return a change's field-by-field differences from the published filing (none once the change
    is published, none for other kinds)."""
    if filing.kind.approval != Approval.APPLY_CHANGE or filing.state == State.PUBLISHED:
        return []
    return change_diff(filing).rows


def _compare_items(
    change: Filing,
    target: Filing,
    parts: ChangedParts,
    *,
    relation: str,
    fields: list[str],
    code: str,
    label: str,
    section_label: str,
    principal_label: str,
    compare_children: Callable[[Any, Any, str, ChangedParts], bool],
    changed_ids: set[int],
) -> None:
    """Compare the change's copies of the websites (or apps) with the published ones they replace."""
    published = {item.pk: item for item in getattr(target, relation).all()}
    verbose_name = str(getattr(change, relation).model._meta.verbose_name)
    kept: set[int] = set()
    for copy in getattr(change, relation).all():
        source = published.get(copy.source_id)
        if source is None:
            parts.added_websites.append(copy.name)
            parts.rows.append(FieldChange(label, relation, verbose_name, "—", copy.name))
            continue
        kept.add(source.pk)
        section = section_label % {"n": source.icp_number or source.position}
        changed = _compare(source, copy, fields, section, code, parts)
        changed = compare_children(source, copy, section, parts) or changed
        if _approvals(source) != _approvals(copy):
            parts.rows.append(
                FieldChange(
                    section, f"{code}.prior_approvals", _("前置审批"), _approvals(source), _approvals(copy)
                )
            )
            changed = True
        principal_section = principal_label % {"section": section}
        shared = (
            copy.principal_id == change.subject_principal_id
            and source.principal_id == target.subject_principal_id
        )
        # An item run by the subject's principal: that person's changes are listed once, above.
        if not shared and _compare(
            source.principal, copy.principal, PERSON_FIELDS, principal_section, f"{code}_principal", parts
        ):
            changed = True
            if copy.principal_id != change.subject_principal_id:
                parts.people.add(copy.principal_id)
        if changed:
            changed_ids.add(copy.pk)
    for pk, source in published.items():
        if pk not in kept:
            parts.removed_websites.append(source.name)
            parts.rows.append(FieldChange(label, relation, verbose_name, source.name, "—"))


def sms_people(change: Filing, parts: ChangedParts) -> list[Person]:
    """Return who confirms a change's SMS: the subject's principal when the subject or its principal
    changed, and the principal of each changed website or app."""
    people: list[Person] = []
    if parts.subject or parts.subject_principal:
        people.append(change.subject_principal)
    for website in change.websites.all():
        if website.pk in parts.websites:
            people.append(website.principal)
    for app in change.apps.all():
        if app.pk in parts.apps:
            people.append(app.principal)
    return people
