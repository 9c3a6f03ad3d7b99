"""The SMS verification step (短信核验): who must confirm the MIIT code, the 24-hour countdown, and
recording each confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from filings.exceptions import BeianError, InvalidInput
from filings.kinds.states import State
from filings.models import Filing, Transition
from filings.models import transition_rules as permissions
from filings.reads import selectors
from filings.services import notifications, transitions
from filings.web.views import display
from filings.web.views.common import refused


def _sms_context(request, filing: Filing) -> dict:
    """Return who must confirm the SMS code, by round, and the 24-hour window of this one."""
    now = timezone.now()
    window = selectors.sms_window(filing)
    unmasked = permissions.sees_personal_data(request.user, filing)
    rounds: dict[int, list] = {}
    for verifier in filing.sms_verifiers.all():
        rounds.setdefault(verifier.stage_visit, []).append(
            {"verifier": verifier, "person": display.shown_person(verifier.person, unmasked=unmasked)}
        )
    current = rounds.pop(filing.stage_visit, []) if filing.state == State.SMS_VERIFICATION else []
    return {
        "filing": filing,
        "current": current,
        "past_rounds": sorted(rounds.items(), reverse=True),
        "window": window,
        "countdown": display.countdown(window, now) if window else None,
        "can_record": Transition.COMPLETE_SMS in selectors.available_transitions(filing, request.user),
        "sms_channel_sends_nothing": notifications.sms_backend_sends_nothing(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def filing_sms(request, filing_id: int):
    """Who must confirm the MIIT SMS code, the 24-hour countdown, and recording each confirmation."""
    filing = selectors.filing_detail(request.user, filing_id)
    if request.method == "POST":
        try:
            verifier_id = int(request.POST.get("verifier_id", ""))
        except ValueError:
            error = InvalidInput(_("请指定完成核验的核验人。"))
            return refused(request, error, "filings/sms.html", _sms_context(request, filing))
        try:
            updated = transitions.record_sms_verification(filing, verifier_id=verifier_id, by=request.user)
        except BeianError as error:
            return refused(request, error, "filings/sms.html", _sms_context(request, filing))
        if updated.state == State.BUREAU_REVIEW:
            messages.success(request, _("全部核验人已完成短信核验,备案已进入管局审核。"))
            return redirect("filings:detail", filing.pk)
        messages.success(request, _("已记录短信核验。"))
        return redirect("filings:sms", filing.pk)
    return render(request, "filings/sms.html", _sms_context(request, filing))
