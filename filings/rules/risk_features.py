"""The features of a filing that the rejection-risk estimate weighs, each reduced to a few values.

The same function describes a filing on its checklist and pre-review pages and records it when it
is submitted (filings.services.risk), so that history and the page speak of the same things.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from filings.models import Filing, Material, Subject, Website
from filings.rules.checks import FAIL, Checklist
from filings.rules.checks.materials import latest_materials

# Feature → its label; the values of each are listed in VALUE_LABELS.
FEATURES = {
    "subject_kind": _("主体性质"),
    "service_content": _("服务内容"),
    "prior_approval": _("前置审批"),
    "real_name_age": _("域名实名认证时长"),
    "websites": _("网站数量"),
    "legal_rep": _("主体负责人为法定代表人"),
    "materials": _("材料检查结果"),
}

# Days since the youngest domain's real-name verification: the bucket upper bounds.
REAL_NAME_AGE_BUCKETS = ((7, "under_7d"), (30, "7_30d"), (90, "30_90d"))

VALUE_LABELS = {
    "prior_approval": {"none": _("不涉及"), "given": _("已填写"), "missing": _("涉及但未填写")},
    "real_name_age": {
        "unknown": _("未认证"),
        "under_7d": _("不足7天"),
        "7_30d": _("7–30天"),
        "30_90d": _("30–90天"),
        "over_90d": _("90天以上"),
    },
    "websites": {"1": _("1个"), "2": _("2个"), "3+": _("3个及以上")},
    "legal_rep": {"yes": _("是"), "no": _("否")},
    "materials": {
        "pass": _("全部通过"),
        "warning": _("有提示"),
        "fail": _("有未通过"),
        "missing": _("未上传"),
    },
    "service_content": {"app": _("APP"), "none": _("无网站")},
}


def value_label(feature: str, value: str) -> str:
    """Return a feature value in words."""
    choices = {"subject_kind": Subject.Kind, "service_content": Website.ServiceContent}.get(feature)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(VALUE_LABELS.get(feature, {}).get(value, value))


def real_name_age(verified_on: date | None, today: date) -> str:
    if verified_on is None:
        return "unknown"
    days = (today - verified_on).days
    for bound, name in REAL_NAME_AGE_BUCKETS:
        if days < bound:
            return name
    return "over_90d"


def filing_features(filing: Filing, checklist: Checklist | None, *, today: date) -> dict[str, str]:
    """Return the filing's features, from the rows a checklist load prefetches and the checklist's
    prior-approval results (a missing approval is a failed check)."""
    websites = list(filing.websites.all())
    apps = list(filing.apps.all())
    domains = [d for w in websites for d in w.domains.all()]
    verified = [d.real_name_verified_at for d in domains if d.real_name_verified_at]
    approvals = [r for r in (checklist.results if checklist else []) if r.code == "prior_approval"]
    if any(r.status == FAIL for r in approvals):
        prior = "missing"
    elif approvals or any(w.prior_approvals.all() for w in websites):
        prior = "given"
    else:
        prior = "none"
    subject = filing.subject
    is_legal_rep = subject.is_individual or (
        subject.legal_representative.strip() == filing.subject_principal.name.strip()
    )
    statuses = {m.check_status for m in latest_materials(filing).values()}
    if not statuses:
        materials = "missing"
    elif Material.CheckStatus.FAIL in statuses:
        materials = "fail"
    elif Material.CheckStatus.WARNING in statuses:
        materials = "warning"
    else:
        materials = "pass"
    count = len(websites) or len(apps)
    return {
        "subject_kind": subject.kind,
        "service_content": websites[0].service_content if websites else ("app" if apps else "none"),
        "prior_approval": prior,
        "real_name_age": real_name_age(max(verified) if verified else None, today),
        "websites": "3+" if count >= 3 else str(max(count, 1)),
        "legal_rep": "yes" if is_legal_rep else "no",
        "materials": materials,
    }
