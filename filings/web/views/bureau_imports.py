"""Bureau result imports: upload a result file, read its preview, apply it (a worker's job) and
follow its progress. Reviewers import; managers may read what was imported."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Perm
from filings.exceptions import BeianError
from filings.models import BureauImport
from filings.reads import bureau_imports
from filings.services import bureau_import
from filings.web.views.common import refused

staff_required = permission_required(Perm.VIEW_ALL, raise_exception=True)
reviewer_required = permission_required(Perm.REVIEW, raise_exception=True)


class ResultUpload(forms.Form):
    file = forms.FileField(
        label=_("结果文件"), help_text=_("CSV(UTF-8 或 GBK 编码)或 Excel(.xlsx),不超过 10 MB")
    )


def _list(request, form: ResultUpload, *, status: int = 200):
    context = {
        "form": form,
        "imports": bureau_imports.recent_imports(),
        "columns": bureau_import.COLUMN_NAMES,
    }
    return render(request, "bureau_imports/list.html", context, status=status)


@login_required
@staff_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    """Recent imports and the upload form (GET); upload a result file for its preview (POST)."""
    if request.method == "GET":
        return _list(request, ResultUpload())
    if not request.user.has_perm(Perm.REVIEW):
        return _list(request, ResultUpload(), status=403)
    form = ResultUpload(request.POST, request.FILES)
    if not form.is_valid():
        return _list(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = bureau_import.upload_results(by=request.user, name=upload.name, data=upload.read())
    except BeianError as error:
        form.add_error("file", str(error.message))
        return _list(request, form, status=error.status_code)
    return redirect("filings:bureau-import", import_id=result.pk)


@login_required
@staff_required
@require_GET
def import_detail(request, import_id: int):
    """The preview of an upload (what each row would do) or, once applied, what each row did."""
    upload = get_object_or_404(BureauImport.objects.select_related("uploaded_by", "applied_by"), pk=import_id)
    return render(request, "bureau_imports/detail.html", _detail(upload))


def _detail(upload: BureauImport) -> dict:
    return {
        "upload": upload,
        "rows": bureau_imports.import_rows(upload),
        "counts": bureau_imports.row_counts(upload),
        "shown": bureau_imports.PREVIEW_ROWS,
        "working": upload.status in (BureauImport.Status.QUEUED, BureauImport.Status.APPLYING),
    }


@login_required
@reviewer_required
@require_POST
def import_apply(request, import_id: int):
    """Queue the upload's rows to be applied by a worker."""
    upload = get_object_or_404(BureauImport.objects.select_related("uploaded_by", "applied_by"), pk=import_id)
    try:
        bureau_import.request_apply(upload, by=request.user)
    except BeianError as error:
        return refused(request, error, "bureau_imports/detail.html", _detail(upload))
    messages.success(request, _("已开始导入,进度见本页。"))
    return redirect("filings:bureau-import", import_id=upload.pk)
