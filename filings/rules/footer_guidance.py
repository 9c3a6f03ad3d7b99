"""What a failed footer check means for the website's principal and how to put it right."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from filings.models import Deadline, Filing, FooterCheck, Website
from filings.rules import footer


@dataclass(frozen=True)
class FooterGuidance:
    """What a failed check of one website means for its principal and how to put it right."""

    website: Website
    check: FooterCheck
    unreachable: bool
    title: str
    problems: list[str]
    fix: str


def guidance_for(check: FooterCheck) -> FooterGuidance:
    """Tell a site that could not be reached (or whose name does not resolve) apart from a page
    that was read but lacks its numbers, with what to do in each case."""
    if check.status == FooterCheck.Status.UNREACHABLE:
        title = _("网站“%(name)s”无法访问(%(url)s)") % {"name": check.website.name, "url": check.url}
        fix = _(
            "请确认网站已开通、域名已解析到服务器(域名无法解析时请检查DNS解析记录),"
            "服务器对外开放80或443端口且首页可以打开;修复后检查会自动重试。"
        )
    else:
        title = _("网站“%(name)s”首页页脚缺少备案信息(%(url)s)") % {
            "name": check.website.name,
            "url": check.url,
        }
        fix = _("请在首页底部展示备案号“%(icp)s”,并链接到 %(miit)s") % {
            "icp": check.expected_icp,
            "miit": footer.MIIT_URL,
        }
        if check.expected_psb:
            fix += _(";同时展示公安备案号“%(psb)s”及公安备案图标") % {"psb": check.expected_psb}
        fix += _("。修改后检查会自动重试。")
    return FooterGuidance(
        website=check.website,
        check=check,
        unreachable=check.status == FooterCheck.Status.UNREACHABLE,
        title=title,
        problems=check.shown_problems,
        fix=fix,
    )


def failing_footer_guidance(filing: Filing) -> list[FooterGuidance]:
    """Return guidance for each website whose latest footer check failed, while a period is open."""
    if not Deadline.objects.filter(
        filing=filing, kind=Deadline.Kind.FOOTER_FIX, closed_at__isnull=True
    ).exists():
        return []
    latest: dict[int, FooterCheck] = {}
    for check in (
        FooterCheck.objects.filter(filing=filing).select_related("website").order_by("-checked_at", "-id")
    ):
        latest.setdefault(check.website_id, check)
    # A website cancelled or moved to another provider since owes no footer here.
    return [
        guidance_for(c)
        for c in latest.values()
        if not c.passed and c.website.cancelled_at is None and c.website.access_cancelled_at is None
    ]
