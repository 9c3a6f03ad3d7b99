"""Prior approvals (前置审批) judged from what a website or app declares and what its principal says.

A keyword is evidence, not a verdict: a company site with a 公司新闻 or 行业资讯 section does not
provide an internet news service. Service content declared in a regulated category needs its
approval; a keyword in the name or description asks the principal whether the site provides that
service, and only a "yes" without an approval fails. The answer stays on the item for the reviewer."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from filings.models import App, Filing, PriorApproval, RuleTerm, Website

YES, NO = "yes", "no"


@dataclass(frozen=True)
class ContentFinding:
    """One regulated category a website or app touches, and what decides it."""

    item: Website | App
    category: str
    words: tuple[str, ...]
    declared: bool
    answer: str
    approved: bool

    @property
    def label(self) -> str:
        return category_label(self.category)

    @property
    def section(self) -> str:
        return "website" if isinstance(self.item, Website) else "app"

    @property
    def asks(self) -> bool:
        """Return whether the principal still has to say whether the item provides this service."""
        return not self.declared and not self.approved and not self.answer

    @property
    def fails(self) -> bool:
        return not self.approved and (self.declared or self.answer == YES)


def category_label(category: str) -> str:
    return (
        str(PriorApproval.Category(category).label) if category in PriorApproval.Category.values else category
    )


def keyword_categories(text: str, terms: dict[str, list[RuleTerm]]) -> dict[str, list[str]]:
    """Return the prior-approval categories whose keywords appear in text, with the words found."""
    found: dict[str, list[str]] = {}
    lowered = text.lower()
    for term in terms.get(RuleTerm.Kind.PRIOR_APPROVAL_KEYWORD, []):
        if term.value.lower() in lowered:
            found.setdefault(term.category, []).append(term.value)
    return found


def findings(item: Website | App, terms: dict[str, list[RuleTerm]]) -> list[ContentFinding]:
    """Return each regulated category the item declares, holds an approval for, or mentions."""
    mentioned = keyword_categories(f"{item.name} {item.description}", terms)
    approved = {a.category for a in item.prior_approvals.all() if a.licence_number}
    declared = item.service_content if item.service_content in PriorApproval.Category.values else None
    answers = item.service_answers or {}
    categories = set(mentioned) | approved | ({declared} if declared else set())
    return [
        ContentFinding(
            item=item,
            category=category,
            words=tuple(mentioned.get(category, ())),
            declared=category == declared,
            answer=answers.get(category, ""),
            approved=category in approved,
        )
        for category in sorted(categories)
    ]


def verdict(finding: ContentFinding, *, noun: str) -> tuple[str, str, str]:
    """Return the status ("pass", "warning" or "fail"), the message and the fix of one finding;
    `noun` is 网站 or 应用."""
    params = {
        "noun": noun,
        "name": finding.item.name,
        "category": finding.label,
        "words": "、".join(finding.words),
    }
    if finding.approved:
        return "pass", _("%(noun)s“%(name)s”已填写%(category)s类前置审批。") % params, ""
    if finding.declared:
        return (
            "fail",
            _("%(noun)s“%(name)s”的服务内容为%(category)s,须先取得%(category)s类前置审批。") % params,
            _("填写前置审批文号并上传审批文件;未取得审批的,请改选实际的服务内容。"),
        )
    if finding.answer == YES:
        return (
            "fail",
            _("负责人确认%(noun)s“%(name)s”提供%(category)s服务,须先取得%(category)s类前置审批。") % params,
            _("填写前置审批文号并上传审批文件。"),
        )
    if finding.answer == NO:
        return (
            "pass",
            _("负责人确认%(noun)s“%(name)s”不提供%(category)s服务(名称或描述中出现“%(words)s”)。") % params,
            "",
        )
    return (
        "warning",
        _(
            "%(noun)s“%(name)s”的名称或描述中出现“%(words)s”。该%(noun)s是否提供%(category)s服务?"
            "提供的须取得前置审批;只是企业动态、行业资讯等栏目的,请回答“不提供”。"
        )
        % params,
        _("在提交前检查页回答是否提供该服务。"),
    )


def open_questions(filing: Filing) -> list[ContentFinding]:
    """Return the findings the principal has not answered yet, for the checklist page's questions."""
    kind = RuleTerm.Kind.PRIOR_APPROVAL_KEYWORD
    terms = {
        kind: list(
            RuleTerm.objects.filter(Q(province__isnull=True) | Q(province_id=filing.province_id), kind=kind)
        )
    }
    items = [*filing.websites.all(), *filing.apps.all()]
    return [f for item in items for f in findings(item, terms) if f.asks]
