"""A reviewer's footer check of a published filing's websites, on demand: each result recorded, and the
filing's footer rectification opened or closed in step with the scheduled checks (site_watch), which
are the one scheduler of footer checks."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import State
from filings.models import Deadline, Filing, FilingEvent, FooterCheck, SiteWatch, Website
from filings.models.site_watch import Failure
from filings.models.wording import Said, said
from filings.rules import footer
from filings.services import rectifications


def expected_numbers(filing: Filing, website: Website) -> tuple[str, str | None]:
    """Return the ICP number the site's footer must show (the subject's in Guangdong) and the
    public-security number once registered."""
    if filing.province.footer_shows_subject_number or not website.icp_number:
        icp = filing.icp_number
    else:
        icp = website.icp_number
    return icp, (filing.psb_number or None)


def run_footer_check(
    filing: Filing, *, by: Any = None, now: datetime | None = None, timeout: float = 10.0
) -> list[FooterCheck]:
    """Check every website of a published filing, record the results with their time, and open
    (or close) the filing's footer-fix deadline, whose alert goes out at once."""
    if by is not None and not getattr(by, "is_reviewer", False):
        raise TransitionNotPermitted(_("只有初审员可以发起页脚检查。"))
    if filing.state != State.PUBLISHED or not filing.icp_number:
        raise TransitionNotPossible(_("只有已公示并取得备案号的备案才能检查页脚。"))
    websites = list(filing.websites.order_by("position"))
    results = []
    # The network is slow and unreliable: fetch outside any transaction.
    for website in websites:
        icp, psb = expected_numbers(filing, website)
        results.append(
            (
                website,
                icp,
                psb,
                footer.check_footer(website.homepage, expected_icp=icp, expected_psb=psb, timeout=timeout),
            )
        )
    now = now or timezone.now()
    with transaction.atomic():
        checks = FooterCheck.objects.bulk_create(
            FooterCheck(
                filing=filing,
                website=website,
                url=result.url,
                final_url=result.final_url or "",
                expected_icp=icp,
                expected_psb=psb or "",
                status=result.status,
                http_status=result.http_status,
                icp_found=result.icp_found,
                icp_linked=result.icp_linked,
                psb_found=result.psb_found,
                problems=result.problems,
                problem_sources=result.problem_sources,
                checked_at=result.checked_at,
                checked_by=by if getattr(by, "pk", None) else None,
            )
            for website, icp, psb, result in results
        )
        failed = [c for c in checks if not c.passed]
        # The rotation decides the period from each site's failures: it must see this result too, or
        # its next check of another site would reopen a period this pass closed (or close this one).
        watches = list(SiteWatch.objects.select_for_update().filter(filing=filing))
        result_of = {c.website_id: c for c in checks}
        for watch in watches:
            check = result_of.get(watch.website_id)
            if check is None:
                continue
            watch.failing = [f for f in watch.failing if f != Failure.FOOTER]
            if not check.passed:
                watch.failing.append(Failure.FOOTER)
            watch.save(update_fields=["failing"])
        still_failing = failed or any(Failure.FOOTER in w.failing for w in watches)
        FilingEvent.record_step(
            filing,
            transition="footer_check",
            by=by,
            at=now,
            comment=_footer_summary(checks),
            reasons=[
                {
                    "field": f"websites.{c.website.position}.footer",
                    "reason": problem,
                    "suggested_fix": "",
                    "code": c.status,
                    **({"reason_source": source} if source else {}),
                }
                for c in failed
                for problem, source in zip(
                    c.problems, c.problem_sources or [None] * len(c.problems), strict=True
                )
            ],
        )
        if still_failing:
            rectifications.open_rectification(filing, Deadline.Kind.FOOTER_FIX, now=now)
        else:
            rectifications.close_rectification(filing, Deadline.Kind.FOOTER_FIX, now=now)
    return checks


def _footer_summary(checks: list[FooterCheck]) -> Said:
    passed = sum(1 for c in checks if c.passed)
    return said(gettext_noop("页脚检查:%(passed)s/%(total)s 个网站通过。"), passed=passed, total=len(checks))
