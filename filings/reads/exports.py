"""Export of the reviewer's and manager's filtered lists: CSV streamed, Excel written by a worker.

Rows are read in keyset batches of plain values (no model instances, no per-row queries), so a
stream starts at once and its cost grows linearly with the rows, whatever their number."""

import csv
import io
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, DateTimeField, F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.db.models.functions import Cast, TruncDate
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Perm
from config.databases import replica_alias
from filings.kinds.states import OPEN_STATES, State
from filings.models import Deadline, ExportJob, Filing, Province, deadline_label
from filings.reads import dashboard as dashboard_stats
from filings.reads import queues
from filings.reads.estimates import PublicationEstimator
from filings.reads.summary_terms import day_start
from filings.rules.workdays import SHANGHAI

# An Excel file of more rows is slow to make and to open; beyond this a CSV is the right tool.
EXCEL_MAX_ROWS = 100_000
BATCH = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URGENCY_LABELS = {
    "overdue": gettext_lazy("超期"),
    "at_risk": gettext_lazy("临近"),
    "": gettext_lazy("按期"),
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


# Either of the above, in one search: most cells need neither and are written as they are.
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|^ *[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]")


def csv_cell(value: Any) -> Any:
    """Return a value as a CSV cell holds it: a spreadsheet shows the text as it is (a leading
    apostrophe stops a formula), and nothing for None."""
    if value is None:
        return ""
    if not isinstance(value, str) or not _NEEDS_CARE.search(value):
        return value
    value = clean_text(value)
    return "'" + value if reads_as_formula(value) else value


def _xlsx_cell(sheet, value):
    """Return a value as an Excel cell holds it: text that reads as a formula is marked as text."""
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


def instant(text: str) -> datetime:
    """Return the moment a timestamp read as text names (PostgreSQL writes its offset; SQLite
    stores UTC and writes none)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class _Memo(dict):
    """A dict that makes a missing value once, with make(key)."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Hashable) -> Any:
        value = self[key] = self.make(key)
        return value


def _is_timestamp(model, name: str) -> bool:
    """Return whether the column `name` (a field, maybe across relations) holds a timestamp."""
    try:
        for part in name.split("__"):
            field = model._meta.get_field(part)
            model = field.related_model
    except FieldDoesNotExist:
        return False  # an annotation
    return isinstance(field, DateTimeField)


def keyset_batches(
    queryset: QuerySet, columns: tuple[str, ...], *, size: int | None = None
) -> Iterator[list[tuple]]:
    """Yield the queryset's rows as tuples of `columns`, in its order, `size` rows per query.

    Each batch starts after the previous one's last key (its ORDER BY fields, ascending, ending in a
    unique one), so every query is a short index range scan, and no cursor or transaction stays
    open while the rows are sent.

    Timestamps come as the database writes them, ISO 8601 text (instant() reads one): Django parses
    each timestamp with time zone in Python, at about 3 µs, more than the rest of a row costs, and
    most rows' timestamps are only shown, or shared with the rows around them."""
    size = size or BATCH
    order = tuple(queryset.query.order_by)
    if not order or any(not isinstance(f, str) or f.startswith("-") for f in order):
        raise ValueError(f"keyset batches need ascending ORDER BY fields, not {order!r}")
    names = [*columns, *(f for f in order if f not in columns)]
    texts = {name: f"text{i}" for i, name in enumerate(names) if _is_timestamp(queryset.model, name)}
    rows = queryset.annotate(**{alias: Cast(name, CharField()) for name, alias in texts.items()})
    rows = rows.values_list(*(texts.get(name, name) for name in names))
    key_at = [(names.index(f), f in texts) for f in order]
    after = None
    while True:
        page = rows if after is None else rows.filter(TupleGreaterThan(Tuple(*(F(f) for f in order)), after))
        batch = list(page[:size])
        if batch:
            last = batch[-1]
            after = tuple(instant(last[i]) if is_text else last[i] for i, is_text in key_at)
            yield batch if len(names) == len(columns) else [row[: len(columns)] for row in batch]
        if len(batch) < size:
            return


@dataclass(frozen=True)
class Table:
    """An export's header and its rows, read lazily in batches."""

    name: str
    header: list[str]
    batches: Iterable[list[list]]
    queryset: QuerySet

    def count(self, *, limit: int) -> int:
        """Return how many rows there are, counting no further than `limit`."""
        return self.queryset.order_by()[:limit].count()


class _Labels:
    """Display texts looked up once per export (in the language active when it runs)."""

    def __init__(self, provinces: dict[int, Province]) -> None:
        self.states = {value: str(label) for value, label in State.choices}
        self.kinds = {value: str(label) for value, label in Deadline.Kind.choices}
        self.urgency = {key: str(label) for key, label in URGENCY_LABELS.items()}
        self.provinces = {pk: _(province.short_name) for pk, province in provinces.items()}
        self.yes = _("是")
        # {(kind, workdays): label}
        self.deadlines = _Memo(lambda key: deadline_label(self.kinds.get(key[0], key[0]), key[1]))


def _estimates(provinces: dict[int, Province], estimator: PublicationEstimator, *, today: date) -> _Memo:
    """Return {(province id, state, day the stage was entered): (expected date, basis)}: the
    estimate depends on the day, and rows share days."""

    def estimate(key: tuple[int, str, date]) -> tuple[str, str]:
        province_id, state, day = key
        expected = estimator.expect_for(provinces[province_id], state, day_start(day), today=today)
        return (expected.date.isoformat(), expected.basis) if expected else ("", "")

    return _Memo(estimate)


def _filing_header(*columns: str) -> list[str]:
    """Return a table's header: the filing's own columns, the given ones, then the estimate's."""
    return [_("备案ID"), _("主体"), _("省份"), _("阶段"), *columns, _("预计公示日期"), _("预计依据")]


def _provinces_and_estimator(
    known: Iterable[Province] | None = None,
) -> tuple[dict[int, Province], PublicationEstimator]:
    provinces = {p.pk: p for p in (known if known is not None else Province.objects.all())}
    return provinces, PublicationEstimator(provinces=provinces.values())


# The province is the deadline's copy of its filing's, the one a province's list is narrowed by.
DEADLINE_COLUMNS = (
    "filing_id",
    "filing__subject__name",
    "province_id",
    "filing__state",
    "entered_on",
    "kind",
    "workdays",
    "due_at",
    "provisional",
    "filing__reviewer__display_name",
    "filing__reviewer__username",
)


def deadline_table(
    deadlines: QuerySet[Deadline], *, name: str, provinces: Iterable[Province] | None = None
) -> Table:
    """Return the deadlines' export; `provinces` (with estimates.PROVINCE_FIELDS: every province the
    rows may name) when the caller has read them already."""
    # Every export (CSV or Excel) reads its rows on the replica when there is one.
    deadlines = deadlines.using(replica_alias())
    header = _filing_header(_("截止类型"), _("截止时间"), _("暂定"), _("紧急程度"), _("初审员"))

    def batches() -> Iterator[list[list]]:
        by_id, estimator = _provinces_and_estimator(provinces)
        labels = _Labels(by_id)
        now = timezone.now()
        expected = _estimates(by_id, estimator, today=timezone.localdate())

        def due_cells(key: tuple[str, str]) -> tuple[str, str]:
            kind, text = key
            moment = instant(text)
            return _when(moment), labels.urgency[queues.urgency_of(kind, moment, now=now)]

        # The day the stage was entered is all an estimate reads of its moment.
        dated = deadlines.annotate(entered_on=TruncDate("filing__stage_entered_at", tzinfo=SHANGHAI))
        for batch in keyset_batches(dated, DEADLINE_COLUMNS):
            # Rows in due order share due times (most limits end at 23:59:59 of a working day).
            due = _Memo(due_cells)
            rows = []
            for (
                filing_id,
                subject,
                province_id,
                state,
                entered_on,
                kind,
                workdays,
                due_at,
                provisional,
                shown,
                user,
            ) in batch:
                when, urgency = due[kind, due_at]
                rows.append(
                    [
                        filing_id,
                        subject,
                        labels.provinces[province_id],
                        labels.states.get(state, state),
                        labels.deadlines[kind, workdays],
                        when,
                        labels.yes if provisional else "",
                        urgency,
                        shown or user or "",
                        *expected[province_id, state, entered_on],
                    ]
                )
            yield rows

    return Table(name=name, header=header, batches=batches(), queryset=deadlines)


FILING_COLUMNS = ("id", "subject__name", "province_id", "state", "stage_entered_at", "icp_number")


def filing_table(filings: QuerySet[Filing], *, name: str) -> Table:
    filings = filings.using(replica_alias())
    header = _filing_header(_("进入阶段时间"), _("备案号"))

    def batches() -> Iterator[list[list]]:
        provinces, estimator = _provinces_and_estimator()
        labels = _Labels(provinces)
        expected = _estimates(provinces, estimator, today=timezone.localdate())
        for batch in keyset_batches(filings, FILING_COLUMNS):
            rows = []
            for filing_id, subject, province_id, state, entered_at, icp_number in batch:
                entered = instant(entered_at).astimezone(SHANGHAI)
                rows.append(
                    [
                        filing_id,
                        subject,
                        labels.provinces[province_id],
                        labels.states.get(state, state),
                        _when(entered),
                        icp_number,
                        *expected[province_id, state, entered.date()],
                    ]
                )
            yield rows

    return Table(name=name, header=header, batches=batches(), queryset=filings)


# CSV, streamed.


def _csv_chunks(table: Table) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte-order mark makes Excel open the UTF-8 file with the right encoding.
    writer.writerow([csv_cell(v) for v in table.header])
    yield "\ufeff" + buffer.getvalue()
    for batch in table.batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_cells(batch))
        yield buffer.getvalue()


def _csv_cells(batch: list[list]) -> Iterator[tuple]:
    """Return the batch's rows with csv_cell() of every cell, checked column by column: a column
    whose distinct values all stay as they are (nearly every column of every batch) is kept whole."""
    columns = [
        column if all(csv_cell(value) is value for value in set(column)) else [csv_cell(v) for v in column]
        for column in zip(*batch, strict=True)
    ]
    return zip(*columns, strict=True)


def file_name(name: str, extension: str) -> str:
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def csv_response(table: Table) -> StreamingHttpResponse:
    """Stream the table as CSV: the header leaves at once, then one chunk per batch of rows."""
    response = StreamingHttpResponse(_csv_chunks(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name(table.name, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Excel, written by a worker (see filings.services.exports).


def write_xlsx(
    table: Table, out: IO[bytes], *, cap: int = EXCEL_MAX_ROWS, progress: Callable[[int], None] | None = None
) -> tuple[int, bool]:
    """Write at most `cap` rows of the table as an Excel workbook to `out`, calling progress(rows)
    after each batch; return (rows written, whether rows were left out)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name[:31])
    sheet.append([_xlsx_cell(sheet, v) for v in table.header])
    written, truncated = 0, False
    for batch in table.batches:
        if written + len(batch) > cap:
            batch, truncated = batch[: cap - written], True
        for row in batch:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
        written += len(batch)
        if progress is not None:
            progress(written)
        if truncated:
            break
    if truncated:
        sheet.append([_("仅导出前 %(n)s 行,完整数据请导出 CSV。") % {"n": cap}])
    workbook.save(out)
    return written, truncated


# What an export job may export: its source, the filters it accepts and who may ask for it.


@dataclass(frozen=True)
class ExportSource:
    perm: str
    table: Callable[..., Table]


def _queue_table(*, user, queue: str = "", province: str = "", mine: bool = False, **_ignored) -> Table:
    chosen = queues.QUEUES[queue]
    rows = queues.queue_deadlines(chosen, user=user, mine=mine, province_code=province or None)
    return deadline_table(rows, name=f"queue-{chosen.slug}")


def _province(code: str) -> Province | None:
    return Province.objects.filter(code=code).first() if code else None


def _deadlines_table(*, user, kind: str = "", province: str = "", **_ignored) -> Table:
    rows = dashboard_stats.DEADLINE_LISTS[kind](province=_province(province))
    return deadline_table(rows, name=f"deadlines-{kind}")


def _open_filings_table(*, user, state: str = "", province: str = "", **_ignored) -> Table:
    rows = dashboard_stats.open_filings(state=state or None, province=_province(province))
    return filing_table(rows, name="open-filings")


SOURCES = {
    ExportJob.Source.QUEUE: ExportSource(perm=Perm.REVIEW, table=_queue_table),
    ExportJob.Source.DEADLINES: ExportSource(perm=Perm.DASHBOARD, table=_deadlines_table),
    ExportJob.Source.OPEN_FILINGS: ExportSource(perm=Perm.DASHBOARD, table=_open_filings_table),
}


def clean_filters(source: str, filters: dict) -> dict:
    """Return the filters an export of `source` keeps (unknown values refused with ValueError)."""
    province = str(filters.get("province") or "")
    if province and not Province.objects.filter(code=province).exists():
        raise ValueError("province")
    if source == ExportJob.Source.QUEUE:
        if filters.get("queue") not in queues.QUEUES:
            raise ValueError("queue")
        return {"queue": filters["queue"], "province": province, "mine": bool(filters.get("mine"))}
    if source == ExportJob.Source.DEADLINES:
        if filters.get("kind") not in dashboard_stats.DEADLINE_LISTS:
            raise ValueError("kind")
        return {"kind": filters["kind"], "province": province}
    if source == ExportJob.Source.OPEN_FILINGS:
        state = str(filters.get("state") or "")
        if state and state not in OPEN_STATES:
            raise ValueError("state")
        return {"state": state, "province": province}
    raise ValueError("source")


def job_titles(jobs: list[ExportJob]) -> list[str]:
    """Return which list each export holds, e.g. "截止时间列表 · 临近截止 · 广东", reading the
    provinces they name in one statement."""
    codes = {str(job.filters.get("province")) for job in jobs if job.filters and job.filters.get("province")}
    provinces = {p.code: p for p in Province.objects.filter(code__in=codes)} if codes else {}
    return [_job_title(job, provinces) for job in jobs]


def _job_title(job: ExportJob, provinces: dict[str, Province]) -> str:
    filters = job.filters or {}
    parts = [str(job.get_source_display())]
    if job.source == ExportJob.Source.QUEUE and filters.get("queue") in queues.QUEUES:
        parts.append(str(queues.QUEUES[filters["queue"]].label))
    elif (
        job.source == ExportJob.Source.DEADLINES
        and filters.get("kind") in dashboard_stats.DEADLINE_LIST_TITLES
    ):
        parts.append(str(dashboard_stats.DEADLINE_LIST_TITLES[filters["kind"]]))
    elif job.source == ExportJob.Source.OPEN_FILINGS and filters.get("state") in OPEN_STATES:
        parts.append(str(State(filters["state"]).label))
    if province := provinces.get(str(filters.get("province") or "")):
        parts.append(_(province.short_name))
    if filters.get("mine"):
        parts.append(_("只看我认领的"))
    return " · ".join(parts)


def job_table(job: ExportJob) -> Table:
    return SOURCES[job.source].table(user=job.user, **job.filters)
