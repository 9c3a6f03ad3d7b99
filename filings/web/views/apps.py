"""Pages of an APP filing's draft (apps, mini-programs and quick apps, of a published subject or as
a subject's first filing)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Perm
from filings.exceptions import BeianError, InvalidInput
from filings.models import Filing, Province
from filings.reads import selectors
from filings.services import apps
from filings.web.forms.apps import AppEntry
from filings.web.views.common import error_message
from filings.web.views.filing_entry import refuse_uneditable


def _save(request, entry: AppEntry, save) -> tuple[Filing | None, int]:
    """Validate the entry and run `save(payload)`; return the saved filing or the status to answer."""
    if not entry.is_valid():
        messages.error(request, _("填写的信息有误,请检查标出的字段。"))
        return None, 400
    try:
        return save(entry.payload()), 200
    except InvalidInput as error:
        entry.add_service_errors(error.details, str(error.message))
        messages.error(request, error_message(error))
        return None, error.status_code
    except BeianError as error:
        messages.error(request, str(error.message))
        return None, error.status_code


@login_required
@require_http_methods(["GET", "POST"])
def app_create(request, subject_id: int):
    """A new APP filing for one of the user's published subjects."""
    if not request.user.has_perm(Perm.WORK_ON_OWN):
        raise PermissionDenied
    subject = selectors.published_subjects_of(request.user).filter(pk=subject_id).first()
    if subject is None:
        raise Http404
    previous = selectors.latest_filing_of_subject(subject, user=request.user)
    status = 200
    if request.method == "POST":
        entry = AppEntry(request.POST)
        filing, status = _save(
            request,
            entry,
            lambda payload: apps.create_app_filing(by=request.user, subject_id=subject.pk, **payload),
        )
        if filing is not None:
            messages.success(request, _("APP备案草稿已保存。下一步:上传材料。"))
            return redirect("filings:materials", filing.pk)
    else:
        entry = AppEntry(subject_principal=previous.subject_principal if previous else None)
    return render(
        request,
        "filings/app_form.html",
        {"entry": entry, "subject": subject, "province": subject.province},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def app_create_first(request):
    """A new APP filing as the subject's first filing: the subject's data with the app's."""
    if not request.user.has_perm(Perm.WORK_ON_OWN):
        raise PermissionDenied
    province = Province.objects.filter(code=request.GET.get("province", "")).first()
    if province is None:
        raise Http404
    status = 200
    if request.method == "POST":
        entry = AppEntry(request.POST, new_subject=True)
        filing, status = _save(
            request,
            entry,
            lambda payload: apps.create_app_filing(by=request.user, province_id=province.pk, **payload),
        )
        if filing is not None:
            messages.success(request, _("APP备案草稿已保存。下一步:上传材料。"))
            return redirect("filings:materials", filing.pk)
    else:
        entry = AppEntry(new_subject=True)
    return render(request, "filings/app_form.html", {"entry": entry, "province": province}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def app_edit(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    refused = refuse_uneditable(request, filing)
    if refused:
        return refused
    status = 200
    version = filing.version
    # An app filing that is its subject's first keeps the subject's data editable.
    first = filing.target_id is None and not apps.subject_has_published_filing(filing.subject)
    if request.method == "POST":
        entry = AppEntry(request.POST, filing=filing, new_subject=first)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        saved, status = _save(
            request,
            entry,
            lambda payload: apps.update_app_filing(
                filing, by=request.user, expected_version=version, **payload
            ),
        )
        if saved is not None:
            messages.success(request, _("已保存。请查看提交前检查。"))
            return redirect("filings:checklist", filing.pk)
    else:
        entry = AppEntry(filing=filing, new_subject=first)
    return render(
        request,
        "filings/app_form.html",
        {
            "entry": entry,
            "filing": filing,
            "subject": filing.subject,
            "province": filing.province,
            "version": version,
        },
        status=status,
    )
