"""Excel exports: asking for one (a job queued for a worker) and the worker making its file."""

import logging
import tempfile
from datetime import timedelta
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from filings.exceptions import InvalidInput, StorageUnavailable
from filings.models import ExportJob, storage
from filings.reads import exports

logger = logging.getLogger(__name__)

EXPORT_TASK = "filings.tasks.export_xlsx_task"


def request_export(*, by: Any, source: str, filters: dict) -> ExportJob:
    """Record an Excel export of `source` filtered by `filters` for `by`, queued for a worker on commit."""
    if source not in exports.SOURCES:
        raise InvalidInput(_("不支持导出该内容。"))
    if not by.has_perm(exports.SOURCES[source].perm):
        raise PermissionDenied
    try:
        cleaned = exports.clean_filters(source, filters)
    except ValueError as error:
        raise InvalidInput(_("导出条件有误:%(field)s") % {"field": error}) from error
    job = ExportJob.objects.create(
        user=by,
        source=source,
        filters=cleaned,
        language=translation.get_language() or "zh-hans",
        row_cap=exports.EXCEL_MAX_ROWS,
    )
    transaction.on_commit(partial(queue_export, job.pk))
    return job


def queue_export(job_id: int) -> None:
    # By name: the tasks module imports this one. An unreachable broker leaves the job pending.
    try:
        current_app.send_task(EXPORT_TASK, args=[job_id], retry=False)
    except Exception:
        logger.warning("Could not queue export job %s; it stays pending.", job_id)


def run_export(job_id: int) -> ExportJob | None:
    """Make the job's Excel file, recording progress after each batch; a finished job is left alone
    (a redelivered task does nothing twice), a job cut short by a lost worker starts over."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).select_related("user").first()
        if job is None or job.is_finished:
            return job
        job.status, job.started_at, job.rows_written = ExportJob.Status.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "rows_written"])
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as out:
            table = exports.job_table(job)
            job.rows_expected = table.count(limit=job.row_cap)
            job.save(update_fields=["rows_expected"])
            progress = ExportJob.objects.filter(pk=job.pk)
            written, truncated = exports.write_xlsx(
                table, out, cap=job.row_cap, progress=lambda n: progress.update(rows_written=n)
            )
            out.seek(0)
            job.filename = exports.file_name(table.name, "xlsx")
            storage.store_file(job.file, out, name=job.filename, content_type=exports.XLSX_CONTENT_TYPE)
    except StorageUnavailable:
        job.status, job.error = ExportJob.Status.FAILED, _("存储服务暂时不可用,文件未保存,请稍后重新导出。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        job.status, job.error = ExportJob.Status.FAILED, _("生成失败,请重试,或改为导出 CSV。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
    job.rows_written, job.truncated = written, truncated
    job.save(update_fields=["status", "finished_at", "rows_written", "truncated", "file", "filename"])
    return job


def purge_exports(*, older_than: timedelta | None = None) -> int:
    """Delete export jobs (and their files) made longer ago than `older_than`; return how many.

    A job whose file the store could not delete is kept, so that the next purge tries again."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.BEIAN_EXPORT_KEEP_DAYS))
    purged = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).only("pk", "file").iterator():
        if not storage.discard_file(job.file):
            continue
        job.delete()
        purged += 1
    return purged
