"""Bureau result files: the adapter interface and the CSV/Excel reader turning a file into rows.

A reader refuses a file it cannot read as a whole (encoding, columns) and reports what is wrong with
each row it can read (formulas, bad decisions or dates); matching rows to filings is the import
service's work."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import InvalidInput
from filings.models.wording import Said, said

APPROVED, REJECTED = "approved", "rejected"
DECISIONS = {"通过": APPROVED, "审核通过": APPROVED, "approved": APPROVED}
DECISIONS |= {
    "驳回": REJECTED,
    "退回": REJECTED,
    "不通过": REJECTED,
    "rejected": REJECTED,
}

# Header aliases a bureau's or a console's export uses, by the field each one fills.
COLUMNS = {
    "reference": ("备案编号", "编号", "reference", "filing reference"),
    "certificate_number": ("证件号码", "主体证件号码", "certificate number", "certificate_number"),
    "domain": ("网站域名", "域名", "domain", "website domain"),
    "decision": ("审核结果", "结果", "decision"),
    "icp_number": ("备案号", "icp号", "icp number", "icp_number"),
    "reasons": ("原因", "驳回原因", "reasons"),
    "decided_on": ("审核日期", "日期", "decision date", "decided_on"),
}
HEADER_FIELDS = {alias.lower(): name for name, aliases in COLUMNS.items() for alias in aliases}
FORMULA_START = ("=", "+", "-", "@")
MAX_ROWS = 20000
MAX_CELL = 2000
REASON_SPLIT = re.compile(r"[;;\n]+")


@dataclass
class ResultRow:
    """One line of a result file as read: its values, or why it cannot be used."""

    line: int
    reference: str = ""
    certificate_number: str = ""
    domain: str = ""
    decision: str = ""
    icp_number: str = ""
    reasons: list[str] = field(default_factory=list)
    decided_on: date | None = None
    error: Said | None = None

    @property
    def identity(self) -> tuple:
        """What names the filing: its reference, or the subject's certificate number and a domain."""
        if self.reference:
            return ("reference", self.reference)
        return ("subject", self.certificate_number, self.domain)


class ResultSource(Protocol):
    """An adapter giving the rows of a bureau's results (a file today, a bureau interface later)."""

    def rows(self) -> Iterator[ResultRow]: ...


def decode(data: bytes) -> str:
    """Return a CSV file's text: UTF-8 (with or without BOM) or GBK (read as its superset GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise InvalidInput(
        _("无法识别文件编码,请保存为 UTF-8 或 GBK 编码的 CSV,或 Excel(.xlsx)文件。"),
        details={"file": [_("文件编码无法识别。")]},
    )


def _csv_lines(data: bytes) -> list[list]:
    return list(csv.reader(io.StringIO(decode(data))))


def _xlsx_lines(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:
        raise InvalidInput(
            _("无法读取该 Excel 文件,请确认是 .xlsx 格式。"), details={"file": [_("文件无法读取。")]}
        ) from error
    try:
        return [list(line) for line in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _header(cells: list) -> dict[int, str]:
    columns, unknown = {}, []
    for index, cell in enumerate(cells):
        name = str(cell if cell is not None else "").strip().lstrip("\ufeff")
        if not name:
            continue
        if name.lower() not in HEADER_FIELDS:
            unknown.append(name)
        else:
            columns[index] = HEADER_FIELDS[name.lower()]
    found = set(columns.values())
    missing = [
        alias[0] for key, alias in COLUMNS.items() if key in ("decision", "decided_on") and key not in found
    ]
    if "reference" not in found and not {"certificate_number", "domain"} <= found:
        missing.append(_("备案编号,或证件号码与网站域名"))
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("缺少列:%(names)s") % {"names": "、".join(str(m) for m in missing)})
        if unknown:
            problems.append(_("无法识别的列:%(names)s") % {"names": "、".join(unknown)})
        raise InvalidInput(
            _("文件的列不符合要求。%(problems)s。可用的列:%(expected)s。")
            % {"problems": ";".join(problems), "expected": "、".join(a[0] for a in COLUMNS.values())},
            details={"file": problems},
        )
    if len(found) != len(columns):
        raise InvalidInput(_("文件有重复的列。"), details={"file": [_("文件有重复的列。")]})
    return columns


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def read_row(line: int, values: dict[str, object]) -> ResultRow:
    """Return one line's row, with the first problem found in it as its error."""
    row = ResultRow(line=line)
    for name, value in values.items():
        if isinstance(value, str) and value.strip().startswith(FORMULA_START):
            row.error = said(
                gettext_noop("“%(column)s”列以“%(char)s”开头,疑似公式,不予导入。"),
                column=COLUMNS[name][0],
                char=value.strip()[0],
            )
            return row
        if len(_text(value)) > MAX_CELL:
            row.error = said(gettext_noop("“%(column)s”列过长。"), column=COLUMNS[name][0])
            return row
    row.reference = _text(values.get("reference")).lower()
    row.certificate_number = re.sub(r"[\s-]", "", _text(values.get("certificate_number"))).upper()
    row.domain = _text(values.get("domain")).lower().rstrip(".")
    row.icp_number = _text(values.get("icp_number")).replace(" ", "")
    row.reasons = [part.strip() for part in REASON_SPLIT.split(_text(values.get("reasons"))) if part.strip()]
    decision = _text(values.get("decision"))
    row.decision = DECISIONS.get(decision.lower(), "")
    if not row.reference and not (row.certificate_number and row.domain):
        row.error = said(gettext_noop("请填写备案编号,或证件号码与网站域名。"))
    elif not row.decision:
        row.error = said(gettext_noop("审核结果“%(value)s”无法识别,应为“通过”或“驳回”。"), value=decision)
    elif row.decision == APPROVED and not row.icp_number:
        row.error = said(gettext_noop("审核通过的行须填写备案号。"))
    elif row.decision == REJECTED and not row.reasons:
        row.error = said(gettext_noop("驳回的行须填写原因。"))
    else:
        try:
            row.decided_on = _date(values.get("decided_on"))
        except ValueError:
            row.error = said(
                gettext_noop("审核日期“%(value)s”无法识别,格式应为 2026-03-05。"),
                value=_text(values.get("decided_on")),
            )
    return row


@dataclass
class ResultFile:
    """A result file uploaded by a reviewer: CSV (UTF-8 or GBK) or Excel (.xlsx)."""

    name: str
    data: bytes

    def rows(self) -> Iterator[ResultRow]:
        lines = _xlsx_lines(self.data) if self.data[:4] == b"PK\x03\x04" else _csv_lines(self.data)
        if not lines:
            raise InvalidInput(_("文件是空的。"), details={"file": [_("文件是空的。")]})
        columns = _header(lines[0])
        if len(lines) - 1 > MAX_ROWS:
            raise InvalidInput(
                _("文件行数超过上限 %(n)s 行,请拆分后导入。") % {"n": MAX_ROWS},
                details={"file": [_("行数过多。")]},
            )
        for number, cells in enumerate(lines[1:], start=2):
            if not any(_text(cell) for cell in cells):
                continue
            values = {name: cells[index] if index < len(cells) else None for index, name in columns.items()}
            yield read_row(number, values)
