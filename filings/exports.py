"""Export of the reviewer's and manager's filtered lists to CSV (streamed) or Excel."""

import csv
import io
import re
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.models import Deadline, Filing, Province
from filings.queues import urgency
from filings.stats import PublicationEstimator
from filings.workdays import SHANGHAI

# An Excel sheet holds about a million rows; beyond this a CSV is the right tool.
EXCEL_MAX_ROWS = 100_000
_CHUNK = 2000
URGENCY_LABELS = {
    "overdue": gettext_lazy("超期"),
    "at_risk": gettext_lazy("临近"),
    "": "",
}


# Control characters other than tab and line breaks: Excel's file format cannot hold them at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def clean_text(value: str) -> str:
    """Drop the control characters a stored value may hold (kept before they were refused)."""
    return _CONTROL.sub("", value)


def reads_as_formula(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START)


def csv_cell(value):
    """Return a CSV value a spreadsheet shows as the text it is: a leading apostrophe stops a formula."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if reads_as_formula(value) else value


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=clean_text(value))
    if reads_as_formula(cell.value):
        # Stored as a string marked as text: Excel shows it as typed and never evaluates it.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _when(value) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def deadline_header() -> list[str]:
    return [
        _("备案ID"),
        _("主体"),
        _("省份"),
        _("阶段"),
        _("截止类型"),
        _("截止时间"),
        _("暂定"),
        _("紧急程度"),
        _("初审员"),
        _("预计公示日期"),
        _("预计依据"),
    ]


def deadline_rows(deadlines: QuerySet[Deadline]) -> Iterator[list]:
    now = timezone.now()
    estimator = PublicationEstimator(provinces=list(Province.objects.all()))
    for deadline in deadlines.iterator(chunk_size=_CHUNK):
        filing = deadline.filing
        expected = estimator.expect(filing)
        yield [
            filing.pk,
            filing.subject.name,
            filing.province.short_name,
            filing.get_state_display(),
            deadline.get_kind_display(),
            _when(deadline.due_at),
            _("是") if deadline.provisional else "",
            str(URGENCY_LABELS.get(urgency(deadline, now=now), "")),
            str(filing.reviewer or ""),
            expected.date.isoformat() if expected else "",
            expected.basis if expected else "",
        ]


def filing_header() -> list[str]:
    return [
        _("备案ID"),
        _("主体"),
        _("省份"),
        _("阶段"),
        _("进入阶段时间"),
        _("备案号"),
        _("预计公示日期"),
        _("预计依据"),
    ]


def filing_rows(filings: QuerySet[Filing]) -> Iterator[list]:
    estimator = PublicationEstimator(provinces=list(Province.objects.all()))
    for filing in filings.iterator(chunk_size=_CHUNK):
        expected = estimator.expect(filing)
        yield [
            filing.pk,
            filing.subject.name,
            filing.province.short_name,
            filing.get_state_display(),
            _when(filing.stage_entered_at),
            filing.icp_number,
            expected.date.isoformat() if expected else "",
            expected.basis if expected else "",
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark makes Excel open the UTF-8 file with the right encoding.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def export(header: list[str], rows: Iterable[list], *, fmt: str, name: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(name[:31])
        sheet.append(header)
        for index, row in enumerate(rows):
            if index >= EXCEL_MAX_ROWS:
                sheet.append([_("仅导出前 %(n)s 行,完整数据请导出 CSV。") % {"n": EXCEL_MAX_ROWS}])
                break
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return response
    response = StreamingHttpResponse(_csv_stream(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def deadline_export(deadlines: QuerySet[Deadline], *, fmt: str, name: str) -> HttpResponse:
    return export(deadline_header(), deadline_rows(deadlines), fmt=fmt, name=name)


def filing_export(filings: QuerySet[Filing], *, fmt: str, name: str) -> HttpResponse:
    return export(filing_header(), filing_rows(filings), fmt=fmt, name=name)
