"""Bureau result imports as reviewers read them: recent uploads, and an upload's rows, problems first."""

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from filings.models import BureauImport, BureauImportRow

PREVIEW_ROWS = 500
Row = BureauImportRow
# Rows that need the reader's attention come first.
STATUS_ORDER = [
    Row.Status.FAILED,
    Row.Status.INVALID,
    Row.Status.READY,
    Row.Status.RECORDED,
    Row.Status.APPLIED,
]


def recent_imports(*, limit: int = 20) -> list[BureauImport]:
    """Return the latest uploads, newest first."""
    return list(BureauImport.objects.select_related("uploaded_by").order_by("-created_at", "-id")[:limit])


def import_rows(upload: BureauImport, *, limit: int = PREVIEW_ROWS) -> QuerySet[BureauImportRow]:
    """Return the upload's rows with their filings, failed and invalid ones first, then by line."""
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return upload.rows.select_related("filing__subject").annotate(rank=rank).order_by("rank", "line")[:limit]


def row_counts(upload: BureauImport) -> dict[str, int]:
    """Return how many of the upload's rows have each status (every status present, zero or not)."""
    found = dict(upload.rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: found.get(status, 0) for status in STATUS_ORDER}
