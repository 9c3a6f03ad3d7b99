"""Bureau decisions imported in bulk: reading a result file into a preview, and applying each row
through the same transition services a decision typed by hand goes through."""

import hashlib
import logging
import uuid
from functools import partial
from typing import Any

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.roles import Perm
from filings.exceptions import ConflictError, InvalidInput
from filings.formats.validators import validate_icp_subject_number
from filings.kinds import Approval, Numbers
from filings.kinds.states import State
from filings.models import (
    BureauImport,
    BureauImportRow,
    Domain,
    Filing,
    storage,
    wording,
)
from filings.models.wording import Said, said
from filings.rules import bureau_results
from filings.rules.bureau_results import APPROVED, ResultRow, ResultSource

logger = logging.getLogger(__name__)

APPLY_TASK = "filings.tasks.apply_bureau_import_task"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_BYTES = 10 * 1024 * 1024
# The columns a result file has, as its header names them.
COLUMN_NAMES = [aliases[0] for aliases in bureau_results.COLUMNS.values()]
Row = BureauImportRow


def refuse_unless_reviewer(user: Any) -> None:
    if not user.has_perm(Perm.REVIEW):
        raise PermissionDenied


def refuse_unless_staff(user: Any) -> None:
    if not user.has_perm(Perm.VIEW_ALL):
        raise PermissionDenied


def refuse_too_large() -> None:
    raise InvalidInput(_("文件超过 10 MB。"), details={"file": [_("文件过大。")]})


def decision_key(filing_id: int, row: ResultRow | BureauImportRow) -> str:
    """Return what names one bureau decision, whichever file carries it."""
    reasons = "|".join(row.reasons)
    text = f"{filing_id}:{row.decided_on}:{row.action if isinstance(row, Row) else row.decision}:"
    return hashlib.sha256(f"{text}{row.icp_number}:{reasons}".encode()).hexdigest()


def _filings_by_identity(rows: list[ResultRow]) -> dict[tuple, Filing]:
    """Return the filing each row names: by reference, or by the subject's certificate number and
    one of its websites' domains (the filing under bureau review first, then the latest)."""
    found: dict[tuple, Filing] = {}
    references = {row.reference for row in rows if row.reference}
    valid = set()
    for reference in references:
        try:
            valid.add(str(uuid.UUID(reference)))
        except ValueError:
            continue
    columns = (
        "id",
        "reference",
        "state",
        "stage_visit",
        "icp_number",
        "filing_type",
        "province__icp_abbreviation",
    )
    for filing in Filing.objects.filter(reference__in=valid).select_related("province").only(*columns):
        found[("reference", str(filing.reference))] = filing
    pairs = {(row.certificate_number, row.domain) for row in rows if not row.reference}
    if pairs:
        domains = (
            Domain.objects.filter(
                name__in={d for _c, d in pairs},
                website__filing__subject__certificate_number__in={c for c, _d in pairs},
            )
            .select_related("website__filing__province", "website__filing__subject")
            .order_by("website__filing__created_at", "website__filing__id")
        )
        for domain in domains:
            filing = domain.website.filing
            key = ("subject", filing.subject.certificate_number, domain.name)
            if key[1:] in pairs and (key not in found or found[key].state != State.BUREAU_REVIEW):
                found[key] = filing
    return found


def message_fields(message: "str | Said | None") -> dict:
    """Return a row's message to store: its words and, for the system's text, its source."""
    text, source = wording.text_and_source(message or "")
    return {"message": text[:500], "message_source": source}


def said_error(error: ValidationError) -> Said:
    """Return a validator's message as a stored source, said again in each reader's language."""
    item = error.error_list[0]
    with translation.override(None):
        return said(str(item.message), **(item.params or {}))


def judge(
    row: ResultRow | BureauImportRow, filing: Filing | None, *, recorded: set[str]
) -> tuple[str, Said | None]:
    """Return what the row would do to its filing (a status) and, when it does nothing, why."""
    if filing is None:
        return Row.Status.INVALID, said(
            gettext_noop("找不到对应的备案:请核对备案编号,或证件号码与网站域名。")
        )
    if decision_key(filing.pk, row) in recorded:
        return Row.Status.RECORDED, said(gettext_noop("该结果已导入过,无需重复导入。"))
    approving = (row.action if isinstance(row, Row) else row.decision) == APPROVED
    if approving and filing.state == State.PUBLISHED and filing.icp_number == row.icp_number:
        return Row.Status.RECORDED, said(gettext_noop("该备案已审核通过,备案号相同,无需重复导入。"))
    if filing.state != State.BUREAU_REVIEW:
        return Row.Status.INVALID, said(
            gettext_noop("备案当前处于“%(state)s”阶段,不在管局审核中,不能记录管局结果。"),
            state=State(filing.state).label,
        )
    if row.decided_on and row.decided_on > timezone.localdate():
        return Row.Status.INVALID, said(
            gettext_noop("审核日期 %(date)s 晚于今天。"), date=str(row.decided_on)
        )
    if approving and filing.kind.approval == Approval.PUBLISH:
        try:
            validate_icp_subject_number(row.icp_number, abbreviation=filing.province.icp_abbreviation)
        except ValidationError as error:
            return Row.Status.INVALID, said(
                gettext_noop("备案号“%(number)s”:%(problem)s"),
                number=row.icp_number,
                problem=said_error(error),
            )
        if filing.kind.numbers == Numbers.EXISTING and row.icp_number != filing.icp_number:
            return Row.Status.INVALID, said(gettext_noop("新增接入沿用原备案号 %(n)s。"), n=filing.icp_number)
    return Row.Status.READY, None


def read_rows(source: ResultSource) -> list[BureauImportRow]:
    """Return the unsaved rows of a result source, each matched to its filing and judged."""
    parsed = list(source.rows())
    filings = _filings_by_identity([row for row in parsed if not row.error])
    recorded = set(
        Row.objects.filter(
            status=Row.Status.APPLIED, filing__in=[f.pk for f in filings.values()]
        ).values_list("decision_key", flat=True)
    )
    seen: dict[object, int] = {}
    rows = []
    for result in parsed:
        filing = filings.get(result.identity) if not result.error else None
        status, message = (
            (Row.Status.INVALID, result.error) if result.error else judge(result, filing, recorded=recorded)
        )
        # The same filing named twice (by either identity) is a duplicate, whatever its decision.
        same = filing.pk if filing else result.identity
        if not result.error and same in seen:
            status = Row.Status.INVALID
            message = said(
                gettext_noop("与第 %(line)s 行是同一备案的结果,重复的行不予导入。"), line=seen[same]
            )
        elif not result.error:
            seen[same] = result.line
        rows.append(
            Row(
                line=result.line,
                filing=filing,
                action=result.decision,
                reference=result.reference[:64],
                certificate_number=result.certificate_number[:64],
                domain=result.domain[:253],
                icp_number=result.icp_number[:40],
                reasons=result.reasons,
                decided_on=result.decided_on,
                status=status,
                **message_fields(message),
            )
        )
    return rows


def upload_results(*, by: Any, name: str, data: bytes) -> BureauImport:
    """Read a result file into a preview (nothing applied yet); refuse a file that cannot be read."""
    refuse_unless_reviewer(by)
    if len(data) > MAX_FILE_BYTES:
        refuse_too_large()
    if not data:
        raise InvalidInput(_("文件是空的。"), details={"file": [_("文件是空的。")]})
    rows = read_rows(bureau_results.ResultFile(name=name, data=data))
    if not rows:
        raise InvalidInput(_("文件中没有结果行。"), details={"file": [_("文件中没有结果行。")]})
    upload = BureauImport(
        filename=name[-100:],
        uploaded_by=by,
        rows_total=len(rows),
        language=translation.get_language() or "zh-hans",
    )
    # Written before the rows, and deleted again if they cannot be saved (as a material's file is).
    content_type = XLSX_CONTENT_TYPE if data[:4] == b"PK\x03\x04" else "text/csv"
    storage.store_file(
        upload.file, ContentFile(data), name=name[-60:] or "results", content_type=content_type
    )
    try:
        with transaction.atomic():
            upload.save()
            for row in rows:
                row.upload = upload
            Row.objects.bulk_create(rows, batch_size=1000)
    except BaseException:
        storage.discard_file(upload.file)
        raise
    return upload


def request_apply(upload: BureauImport, *, by: Any) -> BureauImport:
    """Queue the import's rows to be applied by a worker (again, after a fault: done rows stay done)."""
    refuse_unless_reviewer(by)
    with transaction.atomic():
        locked = BureauImport.objects.select_for_update().get(pk=upload.pk)
        if locked.status in (BureauImport.Status.QUEUED, BureauImport.Status.APPLYING):
            return locked
        if not locked.rows.filter(status__in=[Row.Status.READY, Row.Status.FAILED]).exists():
            raise ConflictError(_("该导入没有可导入的行。"))
        locked.status, locked.applied_by, locked.error = BureauImport.Status.QUEUED, by, ""
        locked.save(update_fields=["status", "applied_by", "error"])
        transaction.on_commit(partial(queue_apply, locked.pk))
    return locked


def queue_apply(upload_id: int) -> None:
    # By name: the tasks module imports this one. An unreachable broker leaves the import queued.
    try:
        current_app.send_task(APPLY_TASK, args=[upload_id], retry=False)
    except Exception:
        logger.warning("Could not queue bureau import %s; it stays queued.", upload_id)
