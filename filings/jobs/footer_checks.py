"""Running footer checks of published websites, recording each result and alerting on failure."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import TransitionNotPermitted, TransitionNotPossible
from filings.kinds import Approval, codes
from filings.kinds.states import State
from filings.models import Deadline, Filing, FilingEvent, FooterCheck, Website
from filings.models.wording import Said, said
from filings.rules import footer
from filings.services import rectifications

# New sites are checked daily for this long after publication; failing ones until they pass.
RECHECK_AFTER = timedelta(hours=24)
WATCH_AFTER_PUBLICATION = timedelta(days=45)


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
        if failed:
            rectifications.open_rectification(filing, Deadline.Kind.FOOTER_FIX, now=now)
        else:
            rectifications.close_rectification(filing, Deadline.Kind.FOOTER_FIX, now=now)
    return checks


def _footer_summary(checks: list[FooterCheck]) -> Said:
    passed = sum(1 for c in checks if c.passed)
    return said(gettext_noop("页脚检查:%(passed)s/%(total)s 个网站通过。"), passed=passed, total=len(checks))


def filings_due_for_footer_check(*, now: datetime | None = None, limit: int = 20) -> list[Filing]:
    """Return published filings to check now: recently published or failing, not checked for a day."""
    now = now or timezone.now()
    recent_check = FooterCheck.objects.filter(filing=OuterRef("pk"), checked_at__gte=now - RECHECK_AFTER)
    failing = Deadline.objects.filter(
        filing=OuterRef("pk"), kind=Deadline.Kind.FOOTER_FIX, closed_at__isnull=True
    )
    return list(
        Filing.objects.filter(state=State.PUBLISHED, filing_type__in=codes(approval=Approval.PUBLISH))
        .exclude(icp_number="")
        .filter(
            Exists(Website.objects.filter(filing=OuterRef("pk"), cancelled_at=None, access_cancelled_at=None))
        )
        .filter(Q(stage_entered_at__gte=now - WATCH_AFTER_PUBLICATION) | Exists(failing))
        .exclude(Exists(recent_check))
        .select_related("province")
        .order_by("stage_entered_at")[:limit]
    )
