"""The entry form of a website filing: a new filing (its type and province first) and editing a draft."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Perm
from filings.exceptions import BeianError, ConflictError, InvalidInput
from filings.kinds import Numbers, kind_of
from filings.kinds.states import EDITABLE_STATES
from filings.models import Filing
from filings.models import transition_rules as permissions
from filings.reads import selectors
from filings.services import access, drafts
from filings.web.forms.entry import AccessNumbersForm, FilingEntry
from filings.web.forms.start import FilingStartForm
from filings.web.views import display
from filings.web.views.common import error_message, reasons_with_links


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
                messages.error(request, error_message(error))
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
            "reasons": reasons_with_links(filing, selectors.latest_event_with_reasons(filing)),
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
