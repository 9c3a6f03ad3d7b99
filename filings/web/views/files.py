"""Serving a stored file (a material, an export) after the view's permission check: streamed from
the storage through this process, a file gone is the 404 page and a store out of reach a 503 page."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from filings.exceptions import StorageUnavailable
from filings.models import storage


def stored_file_response(
    request,
    field,
    *,
    content_type: str,
    filename: str,
    as_attachment: bool = True,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """Return the field's file as a private, non-cached download."""
    try:
        handle = storage.open_stored_file(field)
    except FileNotFoundError as error:
        raise Http404 from error
    except StorageUnavailable as error:
        return render(
            request,
            "storage_unavailable.html",
            {"message": error.message, "home": reverse("home")},
            status=error.status_code,
        )
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response
