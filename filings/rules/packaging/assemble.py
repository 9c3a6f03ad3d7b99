"""Assembling a filing's bureau package: its current materials named, fitted and ordered, a cover sheet
and a checksum list, written as one zip."""

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from filings.models import Filing, Material
from filings.rules.checks.materials import latest_materials
from filings.rules.checks.people import people_of
from filings.rules.packaging import bureaus
from filings.rules.packaging.cover import CoverItem, cover_sheet
from filings.rules.packaging.fit import DoesNotFit, fit, size_label

BUREAU_LANGUAGE = "zh-hans"
COVER_NAME = "00-封面.pdf"
CHECKSUMS_NAME = "SHA256SUMS.txt"


@dataclass(frozen=True)
class PackageItem:
    position: int
    name: str
    kind: str
    material: Material
    data: bytes
    width: int | None
    height: int | None
    dpi: int | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def as_json(self) -> dict:
        return {
            "position": self.position,
            "name": self.name,
            "kind": self.kind,
            "material_id": self.material.pk,
            "material_version": self.material.version,
            "sha256": self.sha256,
            "bytes": len(self.data),
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
        }


class PackageProblems(Exception):
    """The materials cannot be packaged as the bureau asks; each problem is one sentence."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def ordered_materials(filing: Filing, rules: bureaus.BureauRules) -> list[tuple[Material, str]]:
    """Return the filing's current materials in the bureau's order, each with whose it is ("" if the filing's)."""
    people = {f"person:{person.pk}": (i, person.name) for i, (_role, person) in enumerate(people_of(filing))}
    websites = {f"website:{w.pk}": (i, w.name) for i, w in enumerate(filing.websites.all())}
    rank = {kind: i for i, kind in enumerate(rules.order)}
    found = []
    for (kind, slot), material in latest_materials(filing).items():
        place, who = people.get(slot) or websites.get(slot) or (len(people) + len(websites), "")
        found.append((rank.get(kind, len(rank)), place, slot, material, who))
    found.sort(key=lambda row: row[:3])
    return [(material, who) for _rank, _place, _slot, material, who in found]


def package_items(filing: Filing, *, read: Callable[[Material], bytes]) -> list[PackageItem]:
    """Fit every current material into the bureau's rules; raise PackageProblems naming each that cannot."""
    rules = bureaus.rules_for(filing.province.code)
    items: list[PackageItem] = []
    problems: list[str] = []
    for material, who in ordered_materials(filing, rules):
        rule = rules.items.get(material.kind) or bureaus.DEFAULT.items[material.kind]
        label = material_label(material.kind)
        subject = f"{label}({who})" if who else label
        try:
            files = fit(
                read(material), content_type=material.content_type, dpi=material.dpi, rule=rule, label=subject
            )
        except DoesNotFit as error:
            problems.append(error.message)
            continue
        for page, fitted in enumerate(files, start=1):
            position = len(items) + 1
            name = item_name(rule.name, position=position, label=label, who=who)
            if len(files) > 1:
                name = f"{name}-{page}"
            items.append(
                PackageItem(
                    position,
                    f"{safe_name(name)}.{fitted.ext}",
                    material.kind,
                    material,
                    fitted.data,
                    fitted.width,
                    fitted.height,
                    fitted.dpi,
                )
            )
    if problems:
        raise PackageProblems(problems)
    return items


def material_label(kind: str) -> str:
    with translation.override(BUREAU_LANGUAGE):
        return str(Material.Kind(kind).label)


def item_name(pattern: str, *, position: int, label: str, who: str) -> str:
    """Return the pattern filled in; separators left around an empty {who} are dropped."""
    name = pattern.format(n=position, label=label, who=who)
    if not who:
        for sep in ("-", "_"):
            name = name.replace(sep + sep, sep)
        name = name.strip("-_ ")
    return name


def safe_name(name: str) -> str:
    """Return a file name without path separators or characters Windows refuses."""
    return "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name).strip(" .") or "_"


def write_package(
    filing: Filing, items: list[PackageItem], out: IO[bytes], *, now: datetime | None = None
) -> None:
    """Write the zip: the cover sheet first, the items in order, then the checksum list."""
    cover = cover_pdf(filing, items, now=now or timezone.now())
    sums = "".join(f"{item.sha256}  {item.name}\n" for item in items)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(COVER_NAME, cover)
        for item in items:
            # Images and PDFs are compressed already.
            archive.writestr(item.name, item.data, compress_type=zipfile.ZIP_STORED)
        archive.writestr(CHECKSUMS_NAME, sums)


def cover_pdf(filing: Filing, items: list[PackageItem], *, now: datetime) -> bytes:
    """Return the cover sheet, always in Chinese: it goes to the bureau."""
    with translation.override(BUREAU_LANGUAGE):
        subject = filing.subject
        websites = [f"{w.name}({'、'.join(d.name for d in w.domains.all())})" for w in filing.websites.all()]
        facts = [
            (_("备案编号"), str(filing.pk)),
            (_("备案类型"), filing.get_filing_type_display()),
            (_("管局"), _(filing.province.bureau_name)),
            (_("当前阶段"), filing.get_state_display()),
            (_("主体名称"), subject.name),
            (_("主体性质"), subject.get_kind_display()),
            (_("证件类型"), subject.get_certificate_kind_display()),
            (_("证件号码"), subject.certificate_number),
            (_("证件地址"), subject.registered_address),
            (_("通信地址"), subject.postal_address),
            (_("主体负责人"), filing.subject_principal.name if filing.subject_principal_id else ""),
            (_("主体备案号"), filing.icp_number),
            (_("网站"), ";".join(websites)),
            (_("应用"), ";".join(a.name for a in filing.apps.all())),
            (_("材料数"), str(len(items))),
        ]
        cover_items = [
            CoverItem(
                item.position,
                item.name,
                material_label(item.kind),
                _describe(item),
                item.sha256,
            )
            for item in items
        ]
        return cover_sheet(
            title=_("ICP备案材料包 · %(bureau)s") % {"bureau": _(filing.province.bureau_name)},
            facts=[(label, value) for label, value in facts if value],
            items=cover_items,
            footer=_("生成时间 %(time)s。每个文件的 SHA-256 校验值见上,亦见 %(sums)s。")
            % {"time": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"), "sums": CHECKSUMS_NAME},
        )


def _describe(item: PackageItem) -> str:
    parts = [item.name.rsplit(".", 1)[-1].upper(), size_label(len(item.data))]
    if item.width:
        parts.append(f"{item.width}×{item.height} px")
    if item.dpi:
        parts.append(f"{item.dpi} dpi")
    parts.append(_("第%(v)s版") % {"v": item.material.version})
    return " · ".join(parts)
