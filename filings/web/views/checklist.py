"""The pre-submission checklist (pass, fail or warning, each with a link to fix it) and submission."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.exceptions import BeianError
from filings.models import Filing, Transition
from filings.reads import risk, selectors
from filings.rules import change_diff, checks, content_rules
from filings.rules.fields import field_label
from filings.services import transitions
from filings.web.forms.actions import SubmitForm
from filings.web.views import display
from filings.web.views.common import refused


def checklist_context(request, filing: Filing, form: SubmitForm | None = None) -> dict:
    """Return what the checklist page shows: each check, failures first, and whether submission may go."""
    checklist = checks.run_submission_checks(filing)
    order = {"fail": 0, "warning": 1, "pass": 2}
    results = sorted(checklist.results, key=lambda r: order.get(r.status, 3))
    transitions = selectors.available_transitions(filing, request.user)
    return {
        "filing": filing,
        "checklist": checklist,
        "results": [
            {
                "result": r,
                "url": display.fix_url(filing, r.field, r.object_id) if r.status != "pass" else "",
                "field_label": field_label(r.field) if r.field else "",
            }
            for r in results
        ],
        "can_submit": Transition.SUBMIT in transitions and checklist.passed,
        "submit_allowed": Transition.SUBMIT in transitions,
        "returned": bool(selectors.latest_event_with_reasons(filing)),
        "form": form or SubmitForm(),
        "change_rows": change_diff.open_change_rows(filing),
        "risk": risk.rejection_risk(filing, checklist),
        "service_questions": content_rules.open_questions(filing) if Transition.SUBMIT in transitions else [],
    }


@login_required
@require_GET
def filing_checklist(request, filing_id: int):
    """Every pre-submission check as pass, fail or warning, with the reason and a link to fix it."""
    filing = selectors.filing_detail(request.user, filing_id)
    return render(request, "filings/checklist.html", checklist_context(request, filing))


@login_required
@require_POST
def filing_submit(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交说明过长。"))
        return render(request, "filings/checklist.html", checklist_context(request, filing, form), status=400)
    try:
        transitions.submit_filing(filing, by=request.user, comment=form.cleaned_data["comment"])
    except BeianError as error:
        return refused(request, error, "filings/checklist.html", checklist_context(request, filing, form))
    messages.success(request, _("已提交服务商初审。"))
    return redirect("filings:detail", filing.pk)
