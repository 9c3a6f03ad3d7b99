"""Pages of the filing console (thin: each calls a selector or a service and renders)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from filings import selectors


@login_required
def home(request):
    return redirect("filings:list")


@login_required
def filing_list(request):
    filings = selectors.filing_list(request.user, state=request.GET.get("state") or None)[:50]
    return render(request, "filings/filing_list.html", {"filings": filings})


@login_required
@require_GET
def material_download(request, filing_id: int, material_id: int):
    """Serve an uploaded material to someone who may see its filing; nothing is public."""
    filing = selectors.filing_detail(request.user, filing_id)
    material = next((m for m in filing.materials.all() if m.pk == material_id), None)
    if material is None:
        raise Http404
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
        material.content_type, "bin"
    )
    response = FileResponse(
        material.file.open("rb"),
        content_type=material.content_type,
        as_attachment=False,
        filename=f"{material.kind}-v{material.version}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
