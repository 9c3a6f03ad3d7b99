"""Loading a filing for its checks, and running the checks its filing type declares."""

from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from filings.kinds import Approval, Numbers
from filings.models import App, Filing, Material, RuleTerm, Website
from filings.rules import authenticity
from filings.rules.checks.apps import check_apps
from filings.rules.checks.followups import check_cancellation, checks_of_change
from filings.rules.checks.materials import check_materials
from filings.rules.checks.people import check_people
from filings.rules.checks.result import Checklist
from filings.rules.checks.subject import check_access_numbers, check_one_open_filing, check_subject
from filings.rules.checks.websites import check_websites
from filings.rules.durations import Duration


def load_filing_for_checks(filing_id: int) -> Filing:
    """Return the filing with everything the checks read, in a fixed number of queries."""
    return (
        Filing.objects.select_related("subject", "province", "subject_principal")
        .prefetch_related(
            Prefetch(
                "websites",
                queryset=Website.objects.select_related("principal").prefetch_related(
                    "domains", "prior_approvals"
                ),
            ),
            Prefetch(
                "apps",
                queryset=App.objects.select_related("principal").prefetch_related(
                    "platforms", "prior_approvals"
                ),
            ),
            Prefetch("materials", queryset=Material.objects.order_by("kind", "slot", "-version")),
        )
        .get(pk=filing_id)
    )


def _terms(filing: Filing) -> dict[str, list[RuleTerm]]:
    """Return the rule terms that apply to the filing's province, by kind, as rows of the columns the
    checks read (value and category): some 170 model instances cost more than the rules using them."""
    terms: dict[str, list[RuleTerm]] = {}
    rows = RuleTerm.objects.filter(Q(province__isnull=True) | Q(province_id=filing.province_id)).values_list(
        "kind", "value", "category", named=True
    )
    for term in rows:
        terms.setdefault(term.kind, []).append(term)
    return terms


def run_submission_checks(
    filing: Filing, *, today: date | None = None, durations: dict[str, Duration] | None = None
) -> Checklist:
    """Run every pre-submission rule on a filing loaded with load_filing_for_checks (or with
    selectors.filing_detail, which prefetches the same and more); `durations` (rules()) when the
    caller has read them already."""
    today = today or timezone.localdate()
    checklist = Checklist()
    if filing.kind.cancels:
        check_cancellation(filing, checklist)
        check_materials(filing, checklist)
        return checklist
    terms = _terms(filing)
    check_subject(filing, checklist, today)
    check_people(filing, checklist, today)
    authenticity.check_face_checks(filing, checklist)
    if filing.kind.holds_apps(filing):
        check_apps(filing, checklist, terms)
    else:
        check_websites(filing, checklist, today, terms, durations)
    if filing.kind.numbers == Numbers.EXISTING:
        check_access_numbers(filing, checklist)
    check_materials(filing, checklist)
    check_one_open_filing(filing, checklist)
    if filing.kind.approval == Approval.APPLY_CHANGE:
        return checks_of_change(filing, checklist)
    return checklist
