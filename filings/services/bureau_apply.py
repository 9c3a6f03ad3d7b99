"""Bureau decisions applied by the worker: an import's rows a chunk at a time, each row through the
transition a decision typed by hand makes (its checks, the filing's lock, version, history naming
the import and line, deadlines, inbox row and mail), the chunk's rows written together.

A chunk is one transaction: every row of it is judged and checked before anything is written, so a
refused row changes nothing of its filing, and a chunk that cannot be written as a whole (another
upload applied one of its decisions at that moment) is applied again a row at a time, each row in
a transaction of its own, as a decision typed by hand is."""

import logging
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import BeianError
from filings.kinds import Approval
from filings.models import App, BureauImport, BureauImportRow, Filing, Transition, Website, finish_transition
from filings.models.wording import Said, said
from filings.rules import numbering
from filings.rules.bureau_results import APPROVED, REJECTED
from filings.services import bulk_rows, dispatch, transition_batch, transitions
from filings.services.bureau_import import decision_key, judge, message_fields

logger = logging.getLogger(__name__)

Row = BureauImportRow
PENDING = Q(status__in=(Row.Status.READY, Row.Status.FAILED))
# Rows applied in one transaction: their filings stay locked until it commits (a fraction of a
# second), and the import's progress moves on once per chunk.
CHUNK_ROWS = 100
# What an approval changes on the filing's row besides what every transition does.
APPROVAL_FIELDS = ("icp_number", "published_at", "went_live_on")


def history_comment(row: BureauImportRow, upload: BureauImport) -> Said:
    where = {"upload": upload.pk, "line": row.line, "file": upload.filename, "date": str(row.decided_on)}
    if row.action == APPROVED:
        return said(
            gettext_noop(
                "管局审核通过,备案号 %(n)s(%(date)s;管局结果导入 #%(upload)s “%(file)s” 第 %(line)s 行)。"
            ),
            n=row.icp_number,
            **where,
        )
    return said(
        gettext_noop("管局驳回(%(date)s;管局结果导入 #%(upload)s “%(file)s” 第 %(line)s 行)。"), **where
    )


def row_reasons(row: BureauImportRow) -> list[dict]:
    return [{"field": "", "reason": text, "suggested_fix": ""} for text in row.reasons]


def apply_row(row_id: int, *, upload: BureauImport, by: Any) -> BureauImportRow:
    """Apply one row through the filing's transition service; a row applied once stays as it is, and
    a refused row changes nothing of its filing."""
    try:
        with transaction.atomic():
            row = Row.objects.select_for_update().get(pk=row_id)
            if row.status not in (Row.Status.READY, Row.Status.FAILED):
                return row
            filing = (
                Filing.objects.select_related("province").get(pk=row.filing_id) if row.filing_id else None
            )
            key = decision_key(filing.pk, row) if filing else ""
            applied = Row.objects.filter(status=Row.Status.APPLIED, decision_key=key).exists()
            status, message = judge(row, filing, recorded={key} if applied else set())
            if status == Row.Status.READY:
                name = finish_transition(filing) if row.action == APPROVED else Transition.REJECT
                dispatch.perform_transition(
                    filing,
                    name,
                    by=by,
                    comment=history_comment(row, upload),
                    icp_number=row.icp_number,
                    reasons=row_reasons(row),
                )
                status, message = Row.Status.APPLIED, None
            row.status, row.decision_key = status, key
            row.message, row.message_source = message_fields(message).values()
            row.applied_at = timezone.now() if status == Row.Status.APPLIED else None
            row.save(update_fields=["status", "message", "message_source", "decision_key", "applied_at"])
            return row
    except BeianError as error:
        status, message = Row.Status.FAILED, str(error.message)
    except IntegrityError:
        # Another upload applied the same decision at the same moment (the constraint on decision_key).
        status, message = Row.Status.RECORDED, said(gettext_noop("该结果已由另一次导入记录。"))
    Row.objects.filter(pk=row_id).update(status=status, **message_fields(message))
    return Row.objects.get(pk=row_id)


def apply_chunk(row_ids: list[int], *, upload: BureauImport, by: Any) -> None:
    """Apply these rows of the import (those not done yet) in one transaction; rows the chunk leaves
    to the single service (a change's or a cancellation's approval, a filing named twice), and every
    row of a chunk that could not be written as a whole, are applied one by one after it."""
    try:
        with transaction.atomic():
            single = _apply_together(row_ids, upload=upload, by=by)
    except (BeianError, IntegrityError):
        logger.info("Bureau import %s: a chunk is applied row by row", upload.pk, exc_info=True)
        single = row_ids
    for row_id in single:
        apply_row(row_id, upload=upload, by=by)


class _Chunk:
    """The rows of one chunk with what their checks read, each read in one statement, locked."""

    def __init__(self, row_ids: list[int]) -> None:
        self.rows = list(Row.objects.select_for_update().filter(PENDING, pk__in=row_ids).order_by("line"))
        # NO KEY UPDATE, as the single services' writes take: foreign keys to the filings can still
        # be checked meanwhile, and every transition of these filings waits for this chunk.
        filings = Filing.objects.select_for_update(no_key=True, of=("self",)).select_related("province")
        self.filings = filings.in_bulk({row.filing_id for row in self.rows if row.filing_id})
        self.keys = {
            row.pk: decision_key(row.filing_id, row) for row in self.rows if row.filing_id in self.filings
        }
        self.applied = set(
            Row.objects.filter(status=Row.Status.APPLIED, decision_key__in=self.keys.values()).values_list(
                "decision_key", flat=True
            )
        )
        publishing = [f for f in self.filings.values() if f.kind.approval == Approval.PUBLISH]
        self.websites: dict[int, list[Website]] = defaultdict(list)
        self.apps: dict[int, list[App]] = defaultdict(list)
        for model, parts in ((Website, self.websites), (App, self.apps)):
            for part in (
                model.objects.select_for_update()
                .filter(filing_id__in=[f.pk for f in publishing])
                .order_by("filing_id", "position")
            ):
                parts[part.filing_id].append(part)
        self.numbers = numbering.SubjectNumbers.read({f.subject_id for f in publishing})


def _apply_together(row_ids: list[int], *, upload: BureauImport, by: Any) -> list[int]:
    """Judge, check and apply the chunk's rows, writing them together; return the rows left to the
    single service."""
    chunk, now = _Chunk(row_ids), timezone.now()
    steps, parts, single, decided = [], [], [], set()
    for row in chunk.rows:
        filing = chunk.filings.get(row.filing_id)
        key = chunk.keys.get(row.pk, "")
        status, message = judge(row, filing, recorded=chunk.applied)
        if status == Row.Status.READY and (
            filing.pk in decided or (row.action != REJECTED and filing.kind.approval != Approval.PUBLISH)
        ):
            single.append(row.pk)
            continue
        if status == Row.Status.READY:
            try:
                steps.append(_step(row, filing, chunk=chunk, upload=upload, by=by, now=now, parts=parts))
            except BeianError as error:
                # As the single service leaves it: failed, with the reason, the rest untouched.
                row.status = Row.Status.FAILED
                row.message, row.message_source = message_fields(str(error.message)).values()
                continue
            decided.add(filing.pk)
            chunk.applied.add(key)
            status = Row.Status.APPLIED
        row.status, row.decision_key = status, key
        row.message, row.message_source = message_fields(message).values()
        row.applied_at = now if status == Row.Status.APPLIED else None
    approving = any(step.transition == Transition.APPROVE for step in steps)
    transition_batch.record_steps(steps, by=by, now=now, fields=APPROVAL_FIELDS if approving else ())
    for model in (Website, App):
        bulk_rows.update_fields([part for part in parts if isinstance(part, model)], ["icp_number"])
    bulk_rows.update_fields(chunk.rows, ["status", "message", "message_source", "decision_key", "applied_at"])
    return single


def _step(
    row: BureauImportRow,
    filing: Filing,
    *,
    chunk: _Chunk,
    upload: BureauImport,
    by: Any,
    now,
    parts: list,
) -> transition_batch.Step:
    """Check the row's decision as its transition service does and take its step in memory; add the
    websites and apps whose numbers an approval sets to `parts`."""
    comment = history_comment(row, upload)
    if row.action == REJECTED:
        reasons = transitions.clean_reasons(
            row_reasons(row), required=True, missing=transitions.no_rejection_reasons()
        )
        return transition_batch.take_step(
            filing, filing.reject, by=by, now=now, comment=comment, reasons=reasons
        )
    icp_number = (row.icp_number or "").strip()
    transitions.refuse_wrong_approval(filing, by=by, icp_number=icp_number)
    websites, apps = chunk.websites[filing.pk], chunk.apps[filing.pk]
    numbers, app_numbers = numbering.approved_numbers(
        filing, icp_number, websites, apps, website_numbers={}, app_numbers={}, known=chunk.numbers
    )
    filing.icp_number = icp_number
    step = transition_batch.take_step(filing, filing.approve, by=by, now=now, comment=comment)
    for website in websites:
        website.icp_number = numbers[website.pk]
    for app in apps:
        app.icp_number = app_numbers[app.pk]
    parts.extend([*websites, *apps])
    chunk.numbers.record(filing, [*numbers.values(), *app_numbers.values()])
    return step


def run_apply(upload_id: int, *, chunk: int | None = None) -> BureauImport | None:
    """Apply every row not yet done, a chunk at a time, recording progress after each; a finished
    import is left alone and an import cut short (a lost worker) carries on where it stopped."""
    with transaction.atomic():
        upload = BureauImport.objects.select_for_update().filter(pk=upload_id).first()
        if upload is None or upload.status in (BureauImport.Status.APPLIED, BureauImport.Status.PREVIEW):
            return upload
        upload.status = BureauImport.Status.APPLYING
        upload.save(update_fields=["status"])
    by, chunk = upload.applied_by or upload.uploaded_by, chunk or CHUNK_ROWS
    try:
        with translation.override(upload.language):
            pending = list(upload.rows.filter(PENDING).order_by("line").values_list("pk", flat=True))
            done = upload.rows_total - len(pending)
            for start in range(0, len(pending), chunk):
                apply_chunk(pending[start : start + chunk], upload=upload, by=by)
                done += len(pending[start : start + chunk])
                BureauImport.objects.filter(pk=upload.pk).update(rows_done=done)
    except Exception:
        logger.exception("Bureau import %s stopped", upload.pk)
        upload.status, upload.error = (
            BureauImport.Status.FAILED,
            _("导入中断,请再次导入:已导入的行不会重复导入。"),
        )
        upload.save(update_fields=["status", "error"])
        return upload
    upload.status, upload.finished_at, upload.rows_done = (
        BureauImport.Status.APPLIED,
        timezone.now(),
        upload.rows_total,
    )
    upload.save(update_fields=["status", "finished_at", "rows_done"])
    return upload
