"""The principal's answer, on the checklist page, to whether a website or app provides a regulated
service its name or description mentions."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.exceptions import BeianError, InvalidInput
from filings.reads import selectors
from filings.services import content
from filings.web.views.checklist import checklist_context
from filings.web.views.common import refused


class ServiceAnswerForm(forms.Form):
    version = forms.IntegerField()
    section = forms.ChoiceField(choices=[(s, s) for s in content.SECTIONS])
    item_id = forms.IntegerField()
    category = forms.CharField(max_length=32)
    provides = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])


@login_required
@require_POST
def service_answer(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    form = ServiceAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("请回答是否提供该服务。"), details=form.errors)
        content.answer_service_question(
            filing,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            section=form.cleaned_data["section"],
            item_id=form.cleaned_data["item_id"],
            category=form.cleaned_data["category"],
            provides=form.cleaned_data["provides"] == "yes",
        )
    except BeianError as error:
        return refused(request, error, "filings/checklist.html", checklist_context(request, filing))
    messages.success(request, _("已记录您的回答。"))
    return redirect("filings:checklist", filing.pk)
