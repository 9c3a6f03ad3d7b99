"""Excel exports: the page offering one (its row cap stated), the job's progress page and the
private download, which only the user who asked may fetch."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from filings.exceptions import BeianError
from filings.models import ExportJob
from filings.reads import exports
from filings.services import exports as export_service
from filings.web.views.files import stored_file_response

RECENT_JOBS = 20


class ExportRequest(forms.Form):
    source = forms.ChoiceField(choices=ExportJob.Source.choices)
    queue = forms.CharField(required=False, max_length=40)
    kind = forms.CharField(required=False, max_length=20)
    state = forms.CharField(required=False, max_length=32)
    province = forms.CharField(required=False, max_length=2)
    mine = forms.BooleanField(required=False)


def offer(request, *, source: str, filters: dict, title: str):
    """Render the page that starts an Excel export of the list the request shows."""
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("format", None)
    back = f"?{query.urlencode()}"
    query["format"] = "csv"
    return render(
        request,
        "exports/offer.html",
        {
            "source": source,
            "filters": filters,
            "title": title,
            "cap": exports.EXCEL_MAX_ROWS,
            "csv_url": f"?{query.urlencode()}",
            "back": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request):
    """The user's recent exports (GET); ask for a new one (POST, from an offer page)."""
    if request.method == "POST":
        params = ExportRequest(request.POST)
        if not params.is_valid():
            messages.error(request, "; ".join(str(m) for e in params.errors.values() for m in e))
            return render(request, "exports/list.html", {"jobs": _recent(request.user)}, status=400)
        filters = {k: v for k, v in params.cleaned_data.items() if k != "source"}
        try:
            job = export_service.request_export(
                by=request.user, source=params.cleaned_data["source"], filters=filters
            )
        except BeianError as error:
            messages.error(request, str(error.message))
            return render(
                request, "exports/list.html", {"jobs": _recent(request.user)}, status=error.status_code
            )
        return redirect("filings:export", job_id=job.pk)
    return render(request, "exports/list.html", {"jobs": _recent(request.user)})


def _recent(user) -> list[tuple[ExportJob, str]]:
    """Return the user's recent jobs, each with the words naming the list it holds."""
    jobs = list(ExportJob.objects.filter(user=user).order_by("-created_at")[:RECENT_JOBS])
    return list(zip(jobs, exports.job_titles(jobs), strict=True))


@login_required
@require_GET
def export_detail(request, job_id: int):
    job = get_object_or_404(ExportJob, pk=job_id, user=request.user)
    return render(request, "exports/job.html", {"job": job, "title": exports.job_titles([job])[0]})


@login_required
@require_GET
def export_download(request, job_id: int):
    """Serve a finished export to the user who asked for it; to anyone else it does not exist."""
    job = get_object_or_404(ExportJob, pk=job_id, user=request.user, status=ExportJob.Status.DONE)
    return stored_file_response(
        request, job.file, content_type=exports.XLSX_CONTENT_TYPE, filename=job.filename
    )
