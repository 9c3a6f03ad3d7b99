"""The materials a filing needs (per filing type's declared list) and the check that each is
uploaded and passed its scan."""

from django.utils.translation import gettext as _

from filings.kinds import Materials
from filings.models import Filing, Material
from filings.rules import change_rules
from filings.rules.change_diff import ChangedParts, change_diff
from filings.rules.checks.people import people_of
from filings.rules.checks.result import FAIL, Checklist
from filings.rules.checks.subject import ORGANISATION_KINDS
from filings.rules.scans import say
from filings.rules.subject_province import needs_residence_permit


def latest_materials(filing: Filing) -> dict[tuple[str, str], Material]:
    latest: dict[tuple[str, str], Material] = {}
    for material in filing.materials.all():
        key = (material.kind, material.slot)
        if key not in latest or material.version > latest[key].version:
            latest[key] = material
    return latest


def required_materials(filing: Filing) -> list[tuple[str, str, str]]:
    """Return (kind, slot, label) of every material the filing needs."""
    listed = MATERIAL_LISTS.get(filing.kind.materials)
    if listed is not None:
        return listed(filing)
    needed = [(Material.Kind.BUSINESS_LICENCE, "", _("主体证件(营业执照或身份证)扫描件"))]
    for role, person in people_of(filing):
        label = {"subject_principal": _("主体负责人"), "app_principal": _("应用负责人")}.get(
            role, _("网站负责人")
        )
        needed.append(
            (
                Material.Kind.ID_FRONT,
                f"person:{person.pk}",
                _("%(role)s%(name)s身份证人像面") % {"role": label, "name": person.name},
            )
        )
        needed.append(
            (
                Material.Kind.ID_BACK,
                f"person:{person.pk}",
                _("%(role)s%(name)s身份证国徽面") % {"role": label, "name": person.name},
            )
        )
    for kind in filing.province.extra_materials or []:
        if kind in Material.Kind.values:
            needed.append(
                (
                    kind,
                    "",
                    _("%(province)s要求的%(kind)s")
                    % {"province": _(filing.province.short_name), "kind": Material.Kind(kind).label},
                )
            )
    for website in filing.websites.all():
        if website.prior_approvals.all():
            needed.append(
                (
                    Material.Kind.PRIOR_APPROVAL,
                    f"website:{website.pk}",
                    _("网站“%(name)s”的前置审批文件") % {"name": website.name},
                )
            )
    with_approvals = [a.name for a in filing.apps.all() if a.prior_approvals.all()]
    if with_approvals:
        needed.append(
            (
                Material.Kind.PRIOR_APPROVAL,
                "",
                _("应用“%(names)s”的前置审批文件") % {"names": "、".join(with_approvals)},
            )
        )
    if _needs_authorisation(filing):
        needed.append((Material.Kind.AUTHORISATION, "", _("法定代表人授权书")))
    if needs_residence_permit(filing):
        needed.append(
            (
                Material.Kind.RESIDENCE_PERMIT,
                "",
                _("在%(province)s办理的居住证") % {"province": _(filing.province.name)},
            )
        )
    return needed


def _needs_authorisation(filing: Filing) -> bool:
    subject = filing.subject
    return (
        subject.kind in ORGANISATION_KINDS
        and bool(subject.legal_representative)
        and filing.subject_principal.name != subject.legal_representative
        and filing.province.accepts_authorisation_letter
    )


def change_materials(filing: Filing, parts: ChangedParts) -> list[tuple[str, str, str]]:
    """Return the materials a change needs: the subject's certificate when the subject changed, the
    ID card of each person whose data changed, the prior-approval documents of changed websites."""
    needed = []
    if change_rules.name_change_needs_licence(filing):
        needed.append(
            (
                Material.Kind.BUSINESS_LICENCE,
                "",
                _("名称变更后的主体证件扫描件(须显示与原证件相同的证件号码)"),
            )
        )
    elif parts.subject:
        needed.append((Material.Kind.BUSINESS_LICENCE, "", _("变更后的主体证件(营业执照或身份证)扫描件")))
    for role, person in people_of(filing):
        if person.pk not in parts.people:
            continue
        label = {"subject_principal": _("主体负责人"), "app_principal": _("应用负责人")}.get(
            role, _("网站负责人")
        )
        for kind, side in ((Material.Kind.ID_FRONT, _("人像面")), (Material.Kind.ID_BACK, _("国徽面"))):
            needed.append(
                (
                    kind,
                    f"person:{person.pk}",
                    _("%(role)s%(name)s身份证%(side)s") % {"role": label, "name": person.name, "side": side},
                )
            )
    for website in filing.websites.all():
        if website.pk in parts.websites and website.prior_approvals.all():
            needed.append(
                (
                    Material.Kind.PRIOR_APPROVAL,
                    f"website:{website.pk}",
                    _("网站“%(name)s”的前置审批文件") % {"name": website.name},
                )
            )
    return needed


def cancellation_materials(filing: Filing) -> list[tuple[str, str, str]]:
    """Return what bureaus ask for a cancellation: the subject's certificate and its principal's ID card."""
    person = filing.subject_principal
    return [
        (Material.Kind.BUSINESS_LICENCE, "", _("主体证件(营业执照或身份证)扫描件")),
        (
            Material.Kind.ID_FRONT,
            f"person:{person.pk}",
            _("主体负责人%(name)s身份证人像面") % {"name": person.name},
        ),
        (
            Material.Kind.ID_BACK,
            f"person:{person.pk}",
            _("主体负责人%(name)s身份证国徽面") % {"name": person.name},
        ),
    ]


# The material lists of the types that do not need a new filing's (filings.kinds.Materials).
MATERIAL_LISTS = {
    Materials.CHANGE: lambda filing: change_materials(filing, change_diff(filing)),
    Materials.CANCELLATION: cancellation_materials,
    Materials.NONE: lambda filing: [],
}


def check_materials(filing: Filing, checklist: Checklist) -> None:
    latest = latest_materials(filing)
    for kind, slot, label in required_materials(filing):
        material = latest.get((kind, slot))
        if material is None:
            checklist.add(
                "material_present",
                False,
                _("缺少%(label)s。") % {"label": label},
                field=f"materials.{kind}",
                fix=_("上传该材料。"),
            )
        elif material.check_status == Material.CheckStatus.FAIL:
            reasons = " ".join(say(r, "message") for r in material.check_results if r.get("status") == FAIL)
            checklist.add(
                "material_quality",
                False,
                _("%(label)s未通过检查:%(reasons)s") % {"label": label, "reasons": reasons},
                field=f"materials.{kind}",
                object_id=material.pk,
                fix=_("按提示重新扫描并上传新版本。"),
            )
        else:
            checklist.add(
                "material_quality",
                True,
                "",
                field=f"materials.{kind}",
                object_id=material.pk,
                passed_message=_("%(label)s已上传并通过检查。") % {"label": label},
            )
