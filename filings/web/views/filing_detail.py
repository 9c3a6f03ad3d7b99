"""The filing page (stage, countdown, next step and open problems first; the rest folded) and its
small forms: withdrawal, the public-security number and the go-live date.

Every page loads its filing through selectors.filing_detail, which answers 404 for a filing the
user may not see; application errors become a message and a 4xx re-render, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.exceptions import BeianError, InvalidInput
from filings.kinds.states import EDITABLE_STATES, State
from filings.models import Deadline, Filing, Transition
from filings.models import transition_rules as permissions
from filings.reads import compliance, filing_inbox, packages, selectors
from filings.rules import change_diff, footer_guidance, proposals
from filings.rules.deadlines import owes_public_security
from filings.services import public_security, transitions
from filings.web.forms.actions import CommentForm, PublicSecurityForm, WentLiveForm
from filings.web.views import display, filing_cards, filing_rows
from filings.web.views import history as filing_history
from filings.web.views.common import reasons_with_links, refused


def detail_context(request, filing: Filing) -> dict:
    """Return what the filing page shows: what matters now in full, the rest folded."""
    events = list(filing.events.all())
    returned = display.returned_by(filing, display.last_round_transition_from_events(events))
    reasons_event = selectors.latest_event_with_reasons(filing)
    unmasked = permissions.sees_personal_data(request.user, filing)
    now = timezone.now()
    deadlines = list(filing.deadlines.all())
    websites = list(filing.websites.all())
    # Asked only while a footer's rectification is open (the deadlines are loaded already).
    footer_open = any(d.kind == Deadline.Kind.FOOTER_FIX and d.closed_at is None for d in deadlines)
    footer_fixes = (
        footer_guidance.failing_footer_guidance(filing)
        if filing.state == State.PUBLISHED and footer_open
        else []
    )
    slots = display.material_slots(filing)
    progress = display.progress_of(filing, returned)
    open_deadlines = [
        {"deadline": d, "countdown": display.countdown(d, now)} for d in deadlines if d.closed_at is None
    ]
    # What matters now is shown in full; the rest is one paginated history, folded until asked for.
    history = Paginator(
        filing_history.history(events, deadlines, slots), filing_history.HISTORY_PAGE_SIZE
    ).get_page(request.GET.get("history"))
    filing_history.with_event_lines(history.object_list)
    can_follow_up = (
        filing.state == State.PUBLISHED
        and filing.kind.takes_followups
        and permissions.can_edit_filing(request.user, filing)
    )
    alerts = _inbox_rows(request.user, filing)
    allowed = selectors.available_transitions(filing, request.user)
    # The go-live date starts a website's public-security period: asked while one is owed.
    can_set_went_live = (
        not filing.kind.made_of_apps
        and owes_public_security(filing)
        and permissions.is_assignee(filing, request.user)
    )
    can_correct_psb = (
        filing.state == State.PUBLISHED
        and bool(filing.psb_number)
        and permissions.is_assignee_or_reviewer(filing, request.user)
    )
    if filing.assignee_id != request.user.pk:
        next_step = ""  # the next step speaks to the filing's principal; staff reading it are not asked
    elif footer_fixes:
        next_step = _("网站页脚检查未通过:请按下方“页脚整改”的说明在期限内修改网站,修改后检查会自动重试。")
    else:
        next_step = display.next_step(filing, returned, deadlines)
    return {
        **compliance.filing_compliance(filing, today=timezone.localdate(now)),
        "filing": filing,
        "progress": progress,
        "progress_bar": filing_cards.progress_bar(filing.filing_type, filing.state, returned),
        "next_step": next_step,
        "footer_fixes": footer_fixes,
        "next_deadline": display.next_deadline(deadlines, now),
        "deadlines": open_deadlines,
        "deadline_lines": filing_rows.deadline_lines([row["countdown"] for row in open_deadlines]),
        "reasons": reasons_with_links(filing, reasons_event),
        "reasons_event": reasons_event,
        "subject_principal": display.shown_person(filing.subject_principal, unmasked=unmasked),
        "subject_certificate": (
            filing.subject.certificate_number
            if unmasked or not filing.subject.is_individual
            else display.mask_id_number(filing.subject.certificate_number)
        ),
        "websites": [
            {
                "website": w,
                "principal": display.shown_person(w.principal, unmasked=unmasked),
                "same_principal": w.principal_id == filing.subject_principal_id,
            }
            for w in websites
        ],
        "apps": [
            {
                "app": a,
                "principal": display.shown_person(a.principal, unmasked=unmasked),
                "same_principal": a.principal_id == filing.subject_principal_id,
            }
            for a in filing.apps.all()
        ],
        "slots": slots,
        "slot_lines": filing_rows.slot_lines(filing.pk, slots),
        "package_panel": packages.package_panel(request.user, filing),
        "history": history,
        "history_open": "history" in request.GET,
        "sms_round": selectors.current_sms_verifiers(filing),
        "transitions": allowed,
        "can_edit": filing.state in EDITABLE_STATES and permissions.can_edit_filing(request.user, filing),
        "alerts": alerts,
        "inbox_lines": filing_rows.inbox_lines(alerts),
        "alerts_unread": sum(1 for row in alerts if row["unread"]),
        "materials_passed": sum(1 for slot in slots if slot.status == "pass"),
        # A 提示 (a PDF, say) asks the reader to look, and the checklist lets it through: not a failure.
        "materials_warned": sum(1 for slot in slots if slot.status == "warning"),
        # The small forms are built only when the page shows them.
        "psb_form": (
            PublicSecurityForm(province=filing.province)
            if Transition.REGISTER_PUBLIC_SECURITY in allowed
            else None
        ),
        "psb_correct_form": (
            PublicSecurityForm(initial={"psb_number": filing.psb_number}, province=filing.province)
            if can_correct_psb
            else None
        ),
        "went_live_form": WentLiveForm(initial={"went_live_on": filing.went_live_on})
        if can_set_went_live
        else None,
        "can_set_went_live": can_set_went_live,
        "can_correct_psb": can_correct_psb,
        "withdraw_form": CommentForm() if Transition.WITHDRAW in allowed else None,
        "change_rows": change_diff.open_change_rows(filing),
        "can_open_change": can_follow_up,
        "can_cancel": can_follow_up,
        "cancellation": filing.cancellation_or_none,
        "face_check": selectors.current_face_check(filing),
        "proposals": proposals.proposed_cancellations(filing, today=timezone.localdate()),
    }


def _inbox_rows(user, filing: Filing) -> list[dict]:
    """Return the filing's current alerts and the latest decisions sent to the user's inbox, newest
    first, each with whether it is unread and (for decisions) where to act."""
    rows = [
        {
            "tone": alert.severity,
            "badge": alert.severity_label,
            "title": alert.title,
            "at": alert.raised_at,
            "unread": alert.unread,
            "url": "",
            "action": "",
        }
        for alert in filing_inbox.filing_alerts(user, filing)
    ]
    for event in filing_inbox.filing_decisions(filing):
        shown = display.decision(event)
        rows.append(
            {
                "tone": shown.tone,
                "badge": display.event_label(event),
                "title": shown.title,
                "at": event.sent_at,
                "unread": event.sent_read_at is None,
                "url": shown.url,
                "action": shown.action,
            }
        )
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows


@login_required
@require_GET
def filing_detail(request, filing_id: int):
    filing = selectors.filing_page(request.user, filing_id, with_inbox=True)
    return render(request, "filings/filing_detail.html", detail_context(request, filing))


@login_required
@require_POST
def filing_withdraw(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        transitions.withdraw_filing(filing, by=request.user, comment=comment)
    except BeianError as error:
        return refused(request, error, "filings/filing_detail.html", detail_context(request, filing))
    messages.success(request, _("备案已撤回。"))
    return redirect("filings:detail", filing.pk)


def _detail_form_action(request, filing_id: int, form_class, form_key: str, service, done: str):
    """Run a small form of the filing page through its service, which takes the form's fields by name:
    back to the page with a message, or the page again with the form's errors and the service's refusal."""
    filing = selectors.filing_detail(request.user, filing_id)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(" ".join(" ".join(e) for e in form.errors.values()))
        service(filing, by=request.user, **form.cleaned_data)
    except BeianError as error:
        context = detail_context(request, filing)
        context[form_key] = form
        return refused(request, error, "filings/filing_detail.html", context)
    messages.success(request, done)
    return redirect("filings:detail", filing.pk)


@login_required
@require_POST
def filing_public_security(request, filing_id: int):
    return _detail_form_action(
        request,
        filing_id,
        PublicSecurityForm,
        "psb_form",
        transitions.register_public_security,
        _("已记录公安联网备案号。"),
    )


@login_required
@require_POST
def filing_public_security_correct(request, filing_id: int):
    return _detail_form_action(
        request,
        filing_id,
        PublicSecurityForm,
        "psb_correct_form",
        public_security.correct_public_security_number,
        _("已更正公安联网备案号。"),
    )


@login_required
@require_POST
def filing_went_live(request, filing_id: int):
    return _detail_form_action(
        request,
        filing_id,
        WentLiveForm,
        "went_live_form",
        public_security.set_went_live_on,
        _("已记录网站开通日期,公安联网备案期限已重新计算。"),
    )
