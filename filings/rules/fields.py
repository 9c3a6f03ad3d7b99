"""The reader's names of field codes ("domain.registrant_name" → "域名 · 注册人名称") and the grouped
list reviewers pick a field from when they give a reason."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.models import App, Domain, Material, Person, Subject, Website

# Names of field codes that are not model fields (relations, steps done outside Beian).
RELATION_LABELS = {
    "websites": gettext_lazy("网站"),
    "domains": gettext_lazy("域名"),
    "prior_approvals": gettext_lazy("前置审批"),
    "face_verification": gettext_lazy("人脸核验"),
    "platforms": gettext_lazy("平台"),
}
SECTIONS = {
    "subject": (Subject, gettext_lazy("备案主体")),
    "subject_principal": (Person, gettext_lazy("主体负责人")),
    "website_principal": (Person, gettext_lazy("网站负责人")),
    "website": (Website, gettext_lazy("网站")),
    "domain": (Domain, gettext_lazy("域名")),
    "app": (App, gettext_lazy("应用")),
    "app_principal": (Person, gettext_lazy("应用负责人")),
}
# What the entry forms, the API and changes read and write of each part of a filing.
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
    "server_valid_from",
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
APP_FIELDS = [
    "kind",
    "name",
    "service_content",
    "description",
    "access_provider",
    "backend_addresses",
    "mini_platform",
    "appid",
]
APP_PLATFORM_FIELDS = ["platform", "package_name", "public_key", "fingerprint"]
# What a reviewer can name, section by section, in the order the entry form shows them.
PICKABLE = {
    "subject": [
        "kind",
        "name",
        "certificate_kind",
        "certificate_number",
        "licence_valid_until",
        "business_scope",
        "registered_address",
        "postal_address",
        "legal_representative",
    ],
    "subject_principal": [*PERSON_FIELDS, "face_verification"],
    "website_principal": [*PERSON_FIELDS, "face_verification"],
    "website": [
        "name",
        "homepage",
        "service_content",
        "description",
        "prior_approvals",
        "server_provider",
        "server_ip",
        "server_valid_until",
    ],
    "domain": [*DOMAIN_FIELDS],
    "app": [*APP_FIELDS, "platforms", "prior_approvals"],
    "app_principal": [*PERSON_FIELDS, "face_verification"],
}


def _name_in(model, name: str) -> str:
    if name in RELATION_LABELS:
        return str(RELATION_LABELS[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a free-text field code from the API
        return name


def field_label(field_code: str) -> str:
    """Return a reader's name for a reason's or check's field code, e.g. "域名 · 注册人名称"."""
    section, _sep, name = field_code.partition(".")
    if section == "materials":
        return str(Material.Kind(name).label) if name in Material.Kind.values else _("材料")
    if section == "sms":
        return _("短信核验")
    if section not in SECTIONS:
        return str(RELATION_LABELS.get(field_code, field_code))
    model, label = SECTIONS[section]
    return f"{label} · {_name_in(model, name)}" if name else str(label)


def field_choices(sections: tuple[str, ...] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the fields a reason can name, grouped by section, as Django's grouped choices: those
    of the given sections (a filing type's return_sections), or of every section."""
    groups = [
        (
            str(SECTIONS[section][1]),
            [(f"{section}.{name}", _name_in(SECTIONS[section][0], name)) for name in names],
        )
        for section, names in PICKABLE.items()
        if sections is None or section in sections
    ]
    groups.append(
        (
            _("材料"),
            [(f"materials.{kind}", str(label)) for kind, label in Material.Kind.choices]
            + [("sms", _("短信核验"))],
        )
    )
    return groups
