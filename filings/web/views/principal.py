"""Pages of the service principal (thin: each validates, calls a selector or a service, and renders).

Every page loads its filing through selectors.filing_detail, which answers 404 for a filing the
user may not see; application errors become a message and a 4xx re-render, never a 500.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Perm, is_staff_role
from filings.exceptions import BeianError, ChecksFailed, ConflictError, InvalidInput
from filings.kinds import Approval, Numbers, kind_of
from filings.kinds.states import EDITABLE_STATES, State
from filings.models import Deadline, Filing, FilingEvent, Material, Province, Transition
from filings.models import transition_rules as permissions
from filings.reads import keyset, risk, selectors
from filings.rules import change_diff, checks, content_rules, footer_guidance, proposals
from filings.rules.deadlines import owes_public_security
from filings.rules.fields import field_label
from filings.services import access, drafts, materials, notifications, public_security, transitions
from filings.web.forms import (
    AccessNumbersForm,
    CommentForm,
    FilingEntry,
    FilingFilterForm,
    FilingStartForm,
    MaterialUploadForm,
    PublicSecurityForm,
    SubmitForm,
    WentLiveForm,
)
from filings.web.views import display

PAGE_SIZE = 20


# Where each role works, first match wins: managers and admins watch the dashboard, reviewers work
# through the queues, principals follow their own filings.
LANDING_PAGES = ((Perm.DASHBOARD, "filings:dashboard"), (Perm.REVIEW, "filings:review-index"))


@login_required
def home(request):
    """Send the user to the page they work on."""
    for perm, page in LANDING_PAGES:
        if request.user.has_perm(perm):
            return redirect(page)
    return redirect("filings:list")


@login_required
@require_GET
def filing_list(request):
    """My filings: progress, next deadline, unread alerts and the next step, filtered and paginated."""
    provinces = list(Province.objects.only("code", "name"))
    form = FilingFilterForm(request.GET or None, provinces=provinces)
    filters = form.cleaned_data if form.is_valid() else {}
    narrowed = {
        "state": filters.get("state") or None,
        "province": filters.get("province") or None,
        "query": (filters.get("q") or "").strip() or None,
        "domain": (filters.get("domain") or "").strip() or None,
        "filing_type": filters.get("filing_type") or None,
    }
    if filters.get("overdue"):
        # Most overdue first, each filing at its earliest open deadline.
        filings = selectors.overdue_deadlines_of(request.user, **narrowed)
        page = selectors.overdue_filings_page(
            request.user,
            filings,
            round_transitions=display.ROUND_TRANSITIONS,
            after=filters.get("after"),
            size=PAGE_SIZE,
        )
    else:
        filings = selectors.filing_cards(
            request.user, round_transitions=display.ROUND_TRANSITIONS, **narrowed
        )
        page = keyset.page_after(
            filings, order=keyset.NEWEST_FIRST, after=filters.get("after"), size=PAGE_SIZE
        )
    alerts = selectors.unread_alert_counts(request.user, [f.pk for f in page.rows])
    now = timezone.now()
    rows = []
    for filing in page.rows:
        returned = display.returned_by(filing, filing.last_round_transition)
        rows.append(
            {
                "filing": filing,
                "progress": display.progress_of(filing, returned),
                "deadline": display.next_deadline(filing.open_deadlines, now),
                # The next step speaks to the filing's principal; staff reading the list are not asked.
                "next_step": (
                    display.next_step(filing, returned, filing.open_deadlines)
                    if filing.assignee_id == request.user.pk
                    else ""
                ),
                "unread_alerts": alerts.get(filing.pk, 0),
            }
        )
    query = request.GET.copy()
    query.pop("after", None)
    # A search of a common word (科技) finds its rows far apart: counting the first thousand would
    # cost more than the page, so it says "more than 100". A large customer's overdue filings lie
    # far apart among its filings and among everyone's deadlines alike: that list is not counted
    # beyond its page.
    if filters.get("overdue"):
        count_cap = None
    elif filters.get("q") or filters.get("domain"):
        count_cap = keyset.SPARSE_COUNT_CAP
    else:
        count_cap = keyset.COUNT_CAP
    return render(
        request,
        "filings/filing_list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "total": _list_size(filings, page, cap=count_cap),
            "count_cap": count_cap,
            "query": query.urlencode(),
            "can_create": request.user.has_perm(Perm.WORK_ON_OWN),
            "most_overdue_first": bool(filters.get("overdue")),
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def _list_size(filings, page: keyset.Page, *, cap: int | None) -> int | None:
    """Return the list's size up to the cap on its first page (a later page does not repeat it;
    with no cap, only a list that fits on its page is counted)."""
    if not page.first:
        return None
    if page.next is None:
        return len(page.rows)
    return keyset.capped_count(filings, cap=cap) if cap else None


def _detail_context(request, filing: Filing) -> dict:
    events = list(filing.events.all())
    returned = display.returned_by(filing, display.last_round_transition_from_events(events))
    reasons_event = selectors.latest_event_with_reasons(filing)
    unmasked = permissions.sees_personal_data(request.user, filing)
    now = timezone.now()
    deadlines = list(filing.deadlines.all())
    websites = list(filing.websites.all())
    footer_fixes = footer_guidance.failing_footer_guidance(filing) if filing.state == State.PUBLISHED else []
    slots = display.material_slots(filing)
    # What matters now is shown in full; the rest is one paginated history, folded until asked for.
    history = Paginator(display.history(events, deadlines, slots), display.HISTORY_PAGE_SIZE)
    can_follow_up = (
        filing.state == State.PUBLISHED
        and filing.kind.takes_followups
        and permissions.can_edit_filing(request.user, filing)
    )
    alerts = _inbox_rows(request.user, filing)
    if filing.assignee_id != request.user.pk:
        next_step = ""  # the next step speaks to the filing's principal; staff reading it are not asked
    elif footer_fixes:
        next_step = _("网站页脚检查未通过:请按下方“页脚整改”的说明在期限内修改网站,修改后检查会自动重试。")
    else:
        next_step = display.next_step(filing, returned, deadlines)
    return {
        "filing": filing,
        "progress": display.progress_of(filing, returned),
        "next_step": next_step,
        "footer_fixes": footer_fixes,
        "next_deadline": display.next_deadline(deadlines, now),
        "deadlines": [
            {"deadline": d, "countdown": display.countdown(d, now)} for d in deadlines if d.closed_at is None
        ],
        "reasons": _reasons_with_links(filing, reasons_event),
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
        "history": history.get_page(request.GET.get("history")),
        "history_open": "history" in request.GET,
        "sms_round": _sms_round(filing),
        "transitions": selectors.available_transitions(filing, request.user),
        "can_edit": filing.state in EDITABLE_STATES and permissions.can_edit_filing(request.user, filing),
        "alerts": alerts,
        "alerts_unread": sum(1 for row in alerts if row["unread"]),
        "materials_passed": sum(1 for slot in slots if slot.status == "pass"),
        "psb_form": PublicSecurityForm(province=filing.province),
        "psb_correct_form": PublicSecurityForm(
            initial={"psb_number": filing.psb_number}, province=filing.province
        ),
        "went_live_form": WentLiveForm(initial={"went_live_on": filing.went_live_on}),
        # The go-live date starts a website's public-security period: asked while one is owed.
        "can_set_went_live": not filing.kind.made_of_apps
        and owes_public_security(filing)
        and permissions.is_assignee(filing, request.user),
        "can_correct_psb": filing.state == State.PUBLISHED
        and bool(filing.psb_number)
        and permissions.is_assignee_or_reviewer(filing, request.user),
        "withdraw_form": CommentForm(),
        "change_rows": _change_rows(filing),
        "can_open_change": can_follow_up,
        "can_cancel": can_follow_up,
        "cancellation": filing.cancellation_or_none,
        "face_check": _face_check(filing),
        "proposals": proposals.proposed_cancellations(filing, today=timezone.localdate()),
    }


def _inbox_rows(user, filing: Filing) -> list[dict]:
    """Return the filing's current alerts and the latest decisions sent to the user's inbox, newest
    first, each with whether it is unread and (for decisions) where to act."""
    rows = [
        {
            "tone": alert.severity,
            "badge": alert.get_severity_display(),
            "title": alert.title,
            "at": alert.raised_at,
            "unread": alert.unread,
            "url": "",
            "action": "",
        }
        for alert in selectors.filing_alerts(user, filing)
    ]
    for notification in selectors.filing_decisions(user, filing):
        shown = display.decision(notification.event)
        rows.append(
            {
                "tone": shown.tone,
                "badge": display.event_label(notification.event),
                "title": shown.title,
                "at": notification.created_at,
                "unread": notification.read_at is None,
                "url": shown.url,
                "action": shown.action,
            }
        )
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows


def _face_check(filing: Filing):
    """Return the current round's authenticity check while the filing is in SMS verification."""
    if filing.state != State.SMS_VERIFICATION:
        return None
    return next(
        (
            c
            for c in filing.authenticity_checks.all()
            if c.stage_visit == filing.stage_visit and c.step == "province"
        ),
        None,
    )


def _change_rows(filing: Filing) -> list:
    """Return a change's field-by-field differences from the published filing (none for other kinds)."""
    if filing.kind.approval != Approval.APPLY_CHANGE or filing.state == State.PUBLISHED:
        return []
    return change_diff.change_diff(filing).rows


def _reasons_with_links(filing: Filing, event: FilingEvent | None) -> list[dict]:
    if event is None:
        return []
    return [
        {
            **reason,
            "url": display.fix_url(filing, reason.get("field", "")),
            "field_label": field_label(reason.get("field", "")),
        }
        for reason in event.shown_reasons
        if isinstance(reason, dict) and reason.get("reason")
    ]


def _sms_round(filing: Filing) -> list:
    if filing.state != State.SMS_VERIFICATION:
        return []
    return [v for v in filing.sms_verifiers.all() if v.stage_visit == filing.stage_visit]


@login_required
@require_GET
def filing_detail(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    return render(request, "filings/filing_detail.html", _detail_context(request, filing))


def _refused(request, error: BeianError, template: str, context: dict):
    messages.error(request, str(error.message))
    return render(request, template, context, status=error.status_code)


# Entry forms.


@login_required
@require_http_methods(["GET", "POST"])
def filing_create(request):
    """A new filing: first the type and province (GET), then the entry form for that province."""
    if not request.user.has_perm(Perm.WORK_ON_OWN):
        raise PermissionDenied
    subjects = selectors.published_subjects_of(request.user)
    shown = selectors.published_subject_choices(
        request.user, text=request.GET.get("subject_search", "")[:100]
    )
    finding = "find_subject" in request.GET  # the picker's own button: show what it found
    start = FilingStartForm(
        request.GET if "province" in request.GET and not finding else None,
        initial=request.GET.dict() if finding else None,
        subjects=subjects,
        shown_subjects=shown,
    )
    if not start.is_bound or not start.is_valid():
        return render(
            request,
            "filings/filing_start.html",
            {"form": start, "has_subjects": bool(shown) or subjects.exists(), "finding": finding},
            status=400 if start.is_bound else 200,
        )
    province, subject = start.cleaned_data["province"], start.cleaned_data["subject"]
    filing_type = start.cleaned_data["filing_type"]
    kind = kind_of(filing_type)
    if kind.made_of_apps:
        if subject is None:
            return redirect(f"{reverse('filings:app-create-first')}?province={province.code}")
        return redirect("filings:app-create", subject_id=subject.pk)
    if not kind.needs_published_subject:
        subject = None
    elif subject.province_id != province.pk:
        province = subject.province
    previous = selectors.latest_filing_of_subject(subject, user=request.user) if subject else None
    added, status = _with_added_row(request)
    numbers = None
    if kind.numbers == Numbers.EXISTING:
        numbers = AccessNumbersForm(request.POST if request.method == "POST" else None, prefix="access")
    if added is not None:
        entry = FilingEntry(added, province=province, subject=subject)
        entry.hide_errors()
    elif request.method == "POST":
        entry = FilingEntry(request.POST, province=province, subject=subject)
        numbers_valid = numbers is None or numbers.is_valid()
        if entry.is_valid() and numbers_valid:
            try:
                if numbers is not None:
                    filing = access.create_access_filing(
                        by=request.user,
                        province_id=province.pk,
                        icp_number=numbers.cleaned_data["icp_number"],
                        website_numbers=numbers.cleaned_data["website_numbers"],
                        psb_number=numbers.cleaned_data["psb_number"],
                        **entry.payload(),
                    )
                else:
                    filing = drafts.create_filing(
                        by=request.user,
                        province_id=province.pk,
                        filing_type=filing_type,
                        subject_id=subject.pk if subject else None,
                        **entry.payload(),
                    )
            except InvalidInput as error:
                entry.add_service_errors(error.details, str(error.message))
                messages.error(request, str(error.message))
                status = error.status_code
            except BeianError as error:
                messages.error(request, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("备案草稿已保存。下一步:上传材料。"))
                _warn_id_numbers(request, entry)
                return redirect("filings:materials", filing.pk)
        else:
            messages.error(request, _("填写的信息有误,请检查标出的字段。"))
            status = 400
    else:
        entry = FilingEntry(
            province=province,
            subject=subject,
            subject_principal=previous.subject_principal if previous else None,
        )
    if added is None:
        entry.flag_id_numbers()
    return render(
        request,
        "filings/filing_form.html",
        {
            "entry": entry,
            "province": province,
            "filing_type_label": Filing.Type(filing_type).label,
            "province_extra_labels": display.province_extra_labels(province),
            "subject_locked": subject is not None,
            "access_numbers": numbers,
        },
        status=status,
    )


def _warn_id_numbers(request, entry: FilingEntry) -> None:
    """Say at once which saved resident IDs fail their check (the draft keeps them)."""
    for whose, problem in entry.flag_id_numbers():
        messages.warning(
            request,
            _("%(whose)s的身份证号码:%(problem)s 草稿已保存,提交前请改正。")
            % {"whose": whose, "problem": problem},
        )


def _with_added_row(request) -> tuple[Any, int]:
    """Return the posted entry with one more row and the status to answer with, when an "add"
    button sent the form (browsers without JavaScript); (None, 200) for a save. Nothing is saved."""
    target = request.POST.get("add_row") if request.method == "POST" else None
    if not target:
        return None, 200
    added = FilingEntry.with_added_row(request.POST, target)
    if added is None:
        messages.error(request, _("无法添加:表单数据不完整,请刷新页面后重试。"))
        return request.POST, 400
    return added, 200


def refuse_uneditable(request, filing: Filing):
    """Return the way back to the filing page, with the reason, when its draft may not be edited now;
    refuse outright a user who may never edit it."""
    if not permissions.can_edit_filing(request.user, filing):
        raise PermissionDenied
    if filing.state not in EDITABLE_STATES:
        messages.error(
            request, _("备案处于“%(state)s”阶段,不能修改。") % {"state": filing.get_state_display()}
        )
        return redirect(filing)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def filing_edit(request, filing_id: int):
    """Edit a draft; after a return it opens at the fields the reasons name."""
    filing = selectors.filing_detail(request.user, filing_id)
    if filing.kind.holds_apps(filing):
        return redirect("filings:app-edit", filing.pk)
    refused = refuse_uneditable(request, filing)
    if refused:
        return refused
    version = filing.version
    added, status = _with_added_row(request)
    numbers = None
    if filing.kind.numbers == Numbers.EXISTING:
        initial = {
            "icp_number": filing.icp_number,
            "website_numbers": "\n".join(w.icp_number for w in filing.websites.all()),
            "psb_number": filing.psb_number,
        }
        numbers = AccessNumbersForm(
            request.POST if request.method == "POST" else None, prefix="access", initial=initial
        )
    if added is not None:
        entry = FilingEntry(added, province=filing.province, filing=filing)
        entry.hide_errors()
        version = request.POST.get("version", version)
    elif request.method == "POST":
        entry = FilingEntry(request.POST, province=filing.province, filing=filing)
        numbers_valid = numbers is None or numbers.is_valid()
        if entry.is_valid() and numbers_valid:
            try:
                posted_version = int(request.POST.get("version", ""))
            except ValueError:
                posted_version = -1
            try:
                if numbers is not None:
                    access.update_access_filing(
                        filing,
                        by=request.user,
                        expected_version=posted_version,
                        icp_number=numbers.cleaned_data["icp_number"],
                        website_numbers=numbers.cleaned_data["website_numbers"],
                        psb_number=numbers.cleaned_data["psb_number"],
                        **entry.payload(),
                    )
                else:
                    drafts.update_filing(
                        filing, by=request.user, expected_version=posted_version, **entry.payload()
                    )
            except ConflictError as error:
                # The other person's change won; the user's input stays on the page, and saving
                # again now knowingly replaces it.
                messages.error(
                    request,
                    _("%(message)s 您填写的内容保留在下方;请先查看最新内容,确认后再次保存将覆盖对方的修改。")
                    % {"message": error.message},
                )
                status = error.status_code
            except InvalidInput as error:
                entry.add_service_errors(error.details, str(error.message))
                messages.error(request, str(error.message))
                status = error.status_code
                version = posted_version
            except BeianError as error:
                messages.error(request, str(error.message))
                status = error.status_code
                version = posted_version
            else:
                messages.success(request, _("已保存。请查看提交前检查。"))
                _warn_id_numbers(request, entry)
                return redirect("filings:checklist", filing.pk)
        else:
            messages.error(request, _("填写的信息有误,请检查标出的字段。"))
            status = 400
            version = request.POST.get("version", version)
    else:
        entry = FilingEntry(province=filing.province, filing=filing)
    if added is None:
        entry.flag_id_numbers()
    focus_fields = _flag_fields(request, filing, entry)
    return render(
        request,
        "filings/filing_form.html",
        {
            "entry": entry,
            "filing": filing,
            "province": filing.province,
            "filing_type_label": filing.get_filing_type_display(),
            "province_extra_labels": display.province_extra_labels(filing.province),
            "version": version,
            "reasons": _reasons_with_links(filing, selectors.latest_event_with_reasons(filing)),
            "focus_id": focus_fields[0].auto_id if focus_fields else "",
            "access_numbers": numbers,
        },
        status=status,
    )


def _flag_fields(request, filing: Filing, entry: FilingEntry) -> list:
    """Mark the fields named in the latest return's reasons and in ?focus=; return the ones to focus."""
    marked = []
    focus = request.GET.get("focus", "")
    if focus:
        object_id = request.GET.get("obj", "")
        message = _("提交前检查指出此处需要修改。")
        marked += entry.flag(focus, message, int(object_id) if object_id.isdigit() else None)
    event = selectors.latest_event_with_reasons(filing)
    for reason in event.shown_reasons if event else []:
        if isinstance(reason, dict) and reason.get("field"):
            text = reason.get("reason", "")
            if reason.get("suggested_fix"):
                text = f"{text} {_('建议:')}{reason['suggested_fix']}"
            marked += entry.flag(reason["field"], text)
    for field in marked[:1]:
        field.field.widget.attrs["autofocus"] = True
    return marked


# Materials.


@login_required
@require_http_methods(["GET", "POST"])
def filing_materials(request, filing_id: int):
    """Every material the filing needs, each with its versions and check results; upload a new version."""
    filing = selectors.filing_detail(request.user, filing_id)
    status = 200
    form = MaterialUploadForm()
    if request.method == "POST":
        form = MaterialUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                material = materials.upload_material(
                    filing,
                    by=request.user,
                    kind=data["kind"],
                    upload=data["file"],
                    person_id=data["person_id"],
                    website_id=data["website_id"],
                )
            except BeianError as error:
                messages.error(request, str(error.message))
                status = error.status_code
            else:
                _upload_message(request, material)
                anchor = display.MaterialSlot(material.kind, material.slot, "", False).anchor
                return redirect(reverse("filings:materials", args=[filing.pk]) + f"#{anchor}")
        else:
            status = 400  # the page shows the form's errors once, above the slots
    return render(
        request,
        "filings/materials.html",
        {
            "filing": filing,
            "slots": display.material_slots(filing),
            "form": form,
            "can_upload": filing.state in EDITABLE_STATES
            and permissions.can_edit_filing(request.user, filing),
            "optional_kinds": [
                (k, label)
                for k, label in Material.Kind.choices
                if k not in (Material.Kind.ID_FRONT, Material.Kind.ID_BACK)
            ],
        },
        status=status,
    )


def _upload_message(request, material: Material) -> None:
    params = {"kind": material.get_kind_display(), "v": material.version}
    if material.check_status == Material.CheckStatus.FAIL:
        messages.error(
            request,
            _("%(kind)s 第%(v)s版未通过检查:%(reasons)s")
            % {**params, "reasons": display.check_summary(material)},
        )
    elif material.check_status == Material.CheckStatus.WARNING:
        messages.warning(
            request,
            _("%(kind)s 第%(v)s版已上传,请留意:%(reasons)s")
            % {**params, "reasons": display.check_summary(material)},
        )
    else:
        messages.success(request, _("%(kind)s 第%(v)s版已上传,检查通过。") % params)


@login_required
@require_GET
@xframe_options_sameorigin  # the reviewer's page embeds PDFs in an <object>
def material_download(request, filing_id: int, material_id: int):
    """Serve an uploaded material to someone who may see its filing; nothing is public."""
    filing = selectors.filing_detail(request.user, filing_id)
    material = next((m for m in filing.materials.all() if m.pk == material_id), None)
    if material is None:
        raise Http404
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
        material.content_type, "bin"
    )
    # Only staff view scans in the browser; anyone else saves them, so an upload never runs as a page.
    inline = extension != "bin" and is_staff_role(request.user)
    response = FileResponse(
        material.file.open("rb"),
        content_type=material.content_type if extension != "bin" else "application/octet-stream",
        as_attachment=not inline,
        filename=f"{material.kind}-v{material.version}.{extension}",
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Checklist and submission.


def _checklist_context(request, filing: Filing, form: SubmitForm | None = None) -> dict:
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
        "change_rows": _change_rows(filing),
        "risk": risk.rejection_risk(filing, checklist),
        "service_questions": content_rules.open_questions(filing) if Transition.SUBMIT in transitions else [],
    }


@login_required
@require_GET
def filing_checklist(request, filing_id: int):
    """Every pre-submission check as pass, fail or warning, with the reason and a link to fix it."""
    filing = selectors.filing_detail(request.user, filing_id)
    return render(request, "filings/checklist.html", _checklist_context(request, filing))


@login_required
@require_POST
def filing_submit(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交说明过长。"))
        return render(
            request, "filings/checklist.html", _checklist_context(request, filing, form), status=400
        )
    try:
        transitions.submit_filing(filing, by=request.user, comment=form.cleaned_data["comment"])
    except ChecksFailed as error:
        return _refused(request, error, "filings/checklist.html", _checklist_context(request, filing, form))
    except BeianError as error:
        return _refused(request, error, "filings/checklist.html", _checklist_context(request, filing, form))
    messages.success(request, _("已提交服务商初审。"))
    return redirect("filings:detail", filing.pk)


@login_required
@require_POST
def filing_withdraw(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        transitions.withdraw_filing(filing, by=request.user, comment=comment)
    except BeianError as error:
        return _refused(request, error, "filings/filing_detail.html", _detail_context(request, filing))
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
        context = _detail_context(request, filing)
        context[form_key] = form
        return _refused(request, error, "filings/filing_detail.html", context)
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


# SMS verification.


def _sms_context(request, filing: Filing) -> dict:
    now = timezone.now()
    window = next(
        (
            d
            for d in filing.deadlines.all()
            if d.kind == Deadline.Kind.SMS_WINDOW and d.stage_visit == filing.stage_visit
        ),
        None,
    )
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
            return _refused(request, error, "filings/sms.html", _sms_context(request, filing))
        try:
            updated = transitions.record_sms_verification(filing, verifier_id=verifier_id, by=request.user)
        except BeianError as error:
            return _refused(request, error, "filings/sms.html", _sms_context(request, filing))
        if updated.state == State.BUREAU_REVIEW:
            messages.success(request, _("全部核验人已完成短信核验,备案已进入管局审核。"))
            return redirect("filings:detail", filing.pk)
        messages.success(request, _("已记录短信核验。"))
        return redirect("filings:sms", filing.pk)
    return render(request, "filings/sms.html", _sms_context(request, filing))
