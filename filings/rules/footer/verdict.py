"""The footer check's verdict: whether a published website's home page shows its ICP number
linked to the MIIT's register (and its public-security number), with each problem in words."""

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop, pgettext

from filings.models.wording import Said, said
from filings.rules.footer.fetch import Unreachable, fetch_page
from filings.rules.footer.parse import (
    ANY_ICP_RE,
    ANY_PSB_RE,
    MIIT_URL,
    decode_page,
    number_pattern,
    points_at_miit,
    visible_text_and_links,
)


@dataclass(frozen=True)
class FooterResult:
    url: str
    final_url: str | None
    checked_at: datetime
    status: str
    http_status: int | None
    icp_found: bool
    icp_linked: bool
    psb_found: bool | None
    problems: list[str]
    # Each problem as its untranslated source (filings.models.wording), for pages to say again.
    problem_sources: list[dict] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["checked_at"] = self.checked_at.isoformat()
        return data


def _problems(problems: list[Said]) -> dict:
    return {"problems": [str(p) for p in problems], "problem_sources": [p.source for p in problems]}


def check_footer(
    url: str,
    *,
    expected_icp: str,
    expected_psb: str | None = None,
    allow_private_hosts: bool | None = None,
    timeout: float = 10.0,
    max_bytes: int = 2_000_000,
    max_redirects: int = 5,
) -> FooterResult:
    """Fetch ``url`` and check its footer; network trouble becomes status "unreachable", never an exception.

    ``timeout`` bounds each connect and read, and also the time spent downloading the page body.
    """
    expected_icp = expected_icp.strip()
    if not expected_icp:
        raise ValueError("expected_icp must not be empty")
    expected_psb = (expected_psb or "").strip() or None
    if allow_private_hosts is None:
        allow_private_hosts = settings.BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS

    try:
        page = fetch_page(
            url,
            allow_private_hosts=allow_private_hosts,
            timeout=timeout,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
        )
    except Unreachable as error:
        return _unread_footer(
            url,
            status="unreachable",
            final_url=error.final_url,
            http_status=error.http_status,
            expected_psb=expected_psb,
            problem=said(gettext_noop("无法访问网站:%(reason)s。"), reason=error.reason),
        )

    if not page.is_html:
        return _unread_footer(
            url,
            status="fail",
            final_url=page.final_url,
            http_status=page.http_status,
            expected_psb=expected_psb,
            problem=said(
                gettext_noop("首页不是 HTML 页面(Content-Type: %(type)s)。"), type=page.content_type
            ),
        )

    text, links = visible_text_and_links(decode_page(page.body, page.charset))
    problems = []

    icp_spans = [match.span() for match in number_pattern(expected_icp).finditer(text)]
    icp_found = bool(icp_spans)
    miit_spans = [
        (start, end) for href, start, end in links if start < end and points_at_miit(href, page.final_url)
    ]
    icp_linked = any(
        start < link_end and link_start < end
        for start, end in icp_spans
        for link_start, link_end in miit_spans
    )
    if not icp_found:
        problems.append(_missing_problem("icp", expected_icp, ANY_ICP_RE, text))
    elif not icp_linked:
        problems.append(said(gettext_noop("备案号未链接到 %(url)s。"), url=MIIT_URL))

    psb_found = None
    if expected_psb is not None:
        psb_found = number_pattern(expected_psb).search(text) is not None
        if not psb_found:
            problems.append(_missing_problem("psb", expected_psb, ANY_PSB_RE, text))

    if page.truncated and (not icp_found or psb_found is False):
        problems.append(
            said(gettext_noop("首页超过 %(n)s 字节,只检查了前 %(n)s 字节,页面被截断。"), n=max_bytes)
        )

    return FooterResult(
        url=url,
        final_url=page.final_url,
        checked_at=timezone.now(),
        status="fail" if problems else "pass",
        http_status=page.http_status,
        icp_found=icp_found,
        icp_linked=icp_linked,
        psb_found=psb_found,
        **_problems(problems),
    )


def _unread_footer(
    url: str,
    *,
    status: str,
    final_url: str | None,
    http_status: int | None,
    expected_psb: str | None,
    problem: Said,
) -> FooterResult:
    """Return the result of a page whose footer could not be read: no number found, for one reason."""
    return FooterResult(
        url=url,
        final_url=final_url,
        checked_at=timezone.now(),
        status=status,
        http_status=http_status,
        icp_found=False,
        icp_linked=False,
        psb_found=None if expected_psb is None else False,
        **_problems([problem]),
    )


def _missing_problem(kind: str, expected: str, any_number_re: re.Pattern[str], text: str) -> Said:
    shown = list(dict.fromkeys(re.sub(r"\s+", "", match.group()) for match in any_number_re.finditer(text)))
    params = {"expected": expected, "shown": pgettext("list separator", "、").join(shown[:3])}
    if kind == "psb":
        if shown:
            return said(
                gettext_noop("页面未显示公安备案号 %(expected)s,页面上的公安备案号是 %(shown)s。"), **params
            )
        return said(gettext_noop("页面未显示公安备案号 %(expected)s。"), **params)
    if shown:
        return said(gettext_noop("页面未显示备案号 %(expected)s,页面上的备案号是 %(shown)s。"), **params)
    return said(gettext_noop("页面未显示备案号 %(expected)s。"), **params)
