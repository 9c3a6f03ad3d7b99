"""A stored file (a material, a package) served by the API after the view's permission check: a file
gone is a JSON 404; a store out of reach raises StorageUnavailable, which the API answers 503."""

from django.http import FileResponse, Http404

from filings.models import storage


def stored_file_download(field, *, content_type: str, filename: str) -> FileResponse:
    """Return the field's file as a private, non-cached attachment."""
    try:
        handle = storage.open_stored_file(field)
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
