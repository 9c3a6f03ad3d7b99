"""The pages a principal, a reviewer and a manager use every day, over filings in every stage."""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from filings.jobs import alert_scan, summaries
from filings.kinds.states import State
from filings.models import Filing
from filings.services import transitions
from tests import factories
from tests.test_transitions import bring_to


@dataclass
class Walk:
    principal: object
    reviewer: object
    manager: object
    draft: Filing
    returned: Filing
    submitted: Filing
    published: Filing

    def principal_pages(self) -> list[str]:
        return [
            reverse("filings:list"),
            reverse("filings:create"),
            reverse("filings:create") + "?filing_type=first&province=44",
            reverse("filings:edit", args=[self.returned.pk]),
            reverse("filings:materials", args=[self.returned.pk]),
            reverse("alert-inbox"),
            reverse("filings:detail", args=[self.returned.pk]),
            reverse("filings:detail", args=[self.published.pk]),
        ]

    def reviewer_pages(self) -> list[str]:
        return [
            reverse("filings:review-queue", kwargs={"queue": "provider_review"}),
            reverse("filings:review-queue", kwargs={"queue": "bureau_review"}),
            reverse("filings:review-filing", args=[self.submitted.pk]),
        ]

    def manager_pages(self) -> list[str]:
        return [reverse("filings:dashboard")]


def build_walk(prefix: str = "walk") -> Walk:
    """Filings of one principal in entry, returned, pre-review, bureau review, published and withdrawn, with the
    alerts a scan raises over them and the dashboard's summaries refreshed."""
    principal = factories.principal_user(username=f"{prefix}-principal", display_name="张伟")
    reviewer = factories.reviewer_user(username=f"{prefix}-reviewer", display_name="李审核")
    manager = factories.manager_user(username=f"{prefix}-manager", display_name="王经理")
    draft = factories.ready_filing(assignee=principal)
    returned = transitions.return_filing(
        transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal),
        by=reviewer,
        comment="网站名称需修改",
        reasons=[
            {
                "field": "website.name",
                "reason": "网站名称与网站内容不符",
                "suggested_fix": "名称应反映网站的实际内容",
                "code": "website_name_mismatch",
            }
        ],
    )
    submitted = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    bring_to(State.BUREAU_REVIEW, principal=principal, reviewer=reviewer)
    published = bring_to(State.PUBLISHED, principal=principal, reviewer=reviewer)
    bring_to(State.WITHDRAWN, principal=principal, reviewer=reviewer)
    alert_scan.scan_deadlines(now=timezone.now() + timedelta(days=3))
    summaries.refresh_summaries()
    return Walk(principal, reviewer, manager, draft, returned, submitted, published)
