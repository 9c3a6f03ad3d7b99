"""What each provincial bureau expects of a filing's package: names, order, formats and limits (data).

Source of the values.  domain.md says which materials a bureau asks for (Guangdong: the
互联网信息服务备案承诺书 for every filing and, after the seed article, a 网站建设方案书) and that
licences are scanned at 300 dpi or more with all four corners; it gives no bureau's file names,
order, pixel or byte limits.  The names, orders and limits below are therefore our working values,
shaped like the upload limits providers' consoles state (JPG, up to a few MB; an A4 page scanned at
300 dpi with a margin around it is about 3900 px long, so no document limit below 4000 px), distinct per province so that each bureau's rules
are exercised, and to be confirmed with each bureau before they are relied on.  Changing a
bureau's rules is changing this table.

Name patterns take {n} (the item's position in the package, from 1), {label} (the material's
Chinese name), {who} (the person or website the material belongs to, empty for the filing's own)
and end without an extension: the file's format adds it.  Provinces not listed use DEFAULT.
"""

from dataclasses import dataclass, field

JPG, PNG, PDF = "jpg", "png", "pdf"
MB = 1024 * 1024


@dataclass(frozen=True)
class ItemRule:
    """How one kind of material goes into the package."""

    name: str
    formats: tuple[str, ...]
    max_long_side: int
    max_bytes: int
    min_dpi: int = 300


@dataclass(frozen=True)
class BureauRules:
    """One bureau's package: its items in order (material kinds), and how a PDF is taken."""

    name: str
    order: tuple[str, ...]
    items: dict[str, ItemRule] = field(default_factory=dict)
    # Where an item's formats include "pdf", an uploaded PDF goes in as it is (its bytes unchanged);
    # where they do not, a scanned PDF's page images go in instead (fit.py).


ORDER = (
    "business_licence",
    "id_front",
    "id_back",
    "residence_permit",
    "authorisation",
    "pledge",
    "construction_plan",
    "prior_approval",
    "other",
)


def _items(name: str, formats: tuple[str, ...], max_long_side: int, max_bytes: int) -> dict[str, ItemRule]:
    return {kind: ItemRule(name, formats, max_long_side, max_bytes) for kind in ORDER}


DEFAULT = BureauRules(
    name="全国通用",
    order=ORDER,
    items=_items("{n:02d}_{label}_{who}", (JPG, PNG, PDF), 5000, 5 * MB),
)

BUREAUS: dict[str, BureauRules] = {
    # Guangdong: pledge and construction plan right after the licence, JPG only for scans, 1 MB.
    "44": BureauRules(
        name="广东",
        order=(
            "business_licence",
            "pledge",
            "construction_plan",
            "id_front",
            "id_back",
            "residence_permit",
            "authorisation",
            "prior_approval",
            "other",
        ),
        items={
            "business_licence": ItemRule("{n:02d}-主体证件", (JPG,), 4200, 1 * MB),
            "pledge": ItemRule("{n:02d}-互联网信息服务备案承诺书", (JPG, PDF), 4200, 2 * MB),
            "construction_plan": ItemRule("{n:02d}-网站建设方案书", (PDF, JPG), 4200, 5 * MB),
            "id_front": ItemRule("{n:02d}-{who}-身份证正面", (JPG,), 2000, 1 * MB),
            "id_back": ItemRule("{n:02d}-{who}-身份证反面", (JPG,), 2000, 1 * MB),
            "residence_permit": ItemRule("{n:02d}-{who}-居住证", (JPG,), 2000, 1 * MB),
            "authorisation": ItemRule("{n:02d}-授权书", (JPG, PDF), 4200, 2 * MB),
            "prior_approval": ItemRule("{n:02d}-前置审批-{who}", (JPG, PDF), 4200, 2 * MB),
            "other": ItemRule("{n:02d}-其他材料", (JPG, PDF), 4200, 2 * MB),
        },
    ),
    # Beijing: the people's IDs before the licence, JPG or PNG kept as uploaded, 2 MB, long side 4096.
    "11": BureauRules(
        name="北京",
        order=(
            "id_front",
            "id_back",
            "residence_permit",
            "business_licence",
            "authorisation",
            "prior_approval",
            "pledge",
            "construction_plan",
            "other",
        ),
        items={
            kind: ItemRule(f"京_{{n}}_{label}_{{who}}", (JPG, PNG, PDF) if pdf else (JPG, PNG), 4096, 2 * MB)
            for kind, label, pdf in (
                ("id_front", "身份证人像面", False),
                ("id_back", "身份证国徽面", False),
                ("residence_permit", "居住证", False),
                ("business_licence", "营业执照", False),
                ("authorisation", "授权书", True),
                ("prior_approval", "前置审批文件", True),
                ("pledge", "备案承诺书", True),
                ("construction_plan", "网站建设方案书", True),
                ("other", "其他材料", True),
            )
        },
    ),
    # Shanghai: the ministry's order, JPG for everything (no PDF), 800 KB, long side 4000.
    "31": BureauRules(
        name="上海",
        order=ORDER,
        items={
            kind: ItemRule(f"SH{{n:03d}}-{label}-{{who}}", (JPG,), 4000, 800 * 1024)
            for kind, label in (
                ("business_licence", "主体证件"),
                ("id_front", "负责人证件正面"),
                ("id_back", "负责人证件反面"),
                ("residence_permit", "居住证"),
                ("authorisation", "授权书"),
                ("pledge", "承诺书"),
                ("construction_plan", "网站建设方案书"),
                ("prior_approval", "前置审批"),
                ("other", "其他"),
            )
        },
    ),
}


def rules_for(province_code: str) -> BureauRules:
    """Return the package rules of a province's bureau (DEFAULT where it states none of its own)."""
    return BUREAUS.get(province_code, DEFAULT)
