"""Recording the authenticity check's outcome, from the principal's or the reviewer's filing page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Perm
from filings.exceptions import BeianError, InvalidInput
from filings.reads import selectors
from filings.services import authenticity
from filings.web.forms.base import RefusesControlCharacters
from filings.web.views.common import refused
from filings.web.views.filing_detail import detail_context


class FaceCheckForm(RefusesControlCharacters, forms.Form):
    person_id = forms.IntegerField(required=False)
    outcome = forms.ChoiceField(choices=[("passed", "passed"), ("failed", "failed")])
    reason = forms.CharField(required=False, max_length=500)


@login_required
@require_POST
def face_check(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    form = FaceCheckForm(request.POST)
    back = "filings:review-filing" if request.user.has_perm(Perm.REVIEW) else "filings:detail"
    try:
        if not form.is_valid():
            raise InvalidInput(_("请选择核验结果。"))
        passed = form.cleaned_data["outcome"] == "passed"
        if form.cleaned_data["person_id"]:
            authenticity.record_entry_face_check(
                filing,
                by=request.user,
                person_id=form.cleaned_data["person_id"],
                passed=passed,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已记录真实性核验结果。"))
            return redirect("filings:checklist", filing.pk)
        authenticity.record_face_check(
            filing, by=request.user, passed=passed, reason=form.cleaned_data["reason"]
        )
    except BeianError as error:
        return refused(request, error, "filings/filing_detail.html", detail_context(request, filing))
    messages.success(
        request, _("已记录真实性核验通过。") if passed else _("已记录真实性核验未通过,备案已退回。")
    )
    return redirect(back, filing.pk)
