"""Bureau packages: asking for one (a job queued for a worker) and the worker building its zip."""

import hashlib
import logging
import tempfile
from datetime import timedelta
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import Perm
from filings.exceptions import ChecksFailed, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import PACKAGE_STATES
from filings.models import BureauPackage, Filing, Material, storage
from filings.rules.checks import load_filing_for_checks, run_submission_checks
from filings.rules.packaging.assemble import PackageProblems, package_items, write_package

logger = logging.getLogger(__name__)

PACKAGE_TASK = "filings.tasks.build_package_task"


def checklist_problems(filing: Filing) -> list[str]:
    """Return what the filing's checklist finds missing or wrong, one sentence each."""
    checklist = run_submission_checks(load_filing_for_checks(filing.pk))
    return [result.message for result in checklist.failures]


def request_package(filing: Filing, *, by: Any) -> BureauPackage:
    """Record a package of the filing's current materials for its bureau, queued for a worker on commit;
    refuse a filing before pre-review or one whose checklist fails, saying what is missing."""
    if not by.has_perm(Perm.REVIEW):
        raise TransitionNotPermitted(_("只有初审员可以生成管局材料包。"))
    if filing.state not in PACKAGE_STATES:
        raise TransitionNotPossible(_not_submitted(filing))
    problems = checklist_problems(filing)
    if problems:
        raise ChecksFailed(
            _("检查清单未通过,不能生成管局材料包:%(problems)s") % {"problems": " ".join(problems)},
            details=problems,
        )
    package = BureauPackage.objects.create(
        filing=filing,
        requested_by=by,
        province_code=filing.province.code,
        language=translation.get_language() or "zh-hans",
    )
    transaction.on_commit(partial(queue_package, package.pk))
    return package


def queue_package(package_id: int) -> None:
    # By name: the tasks module imports this one. An unreachable broker leaves the package pending.
    try:
        current_app.send_task(PACKAGE_TASK, args=[package_id], retry=False)
    except Exception:
        logger.warning("Could not queue bureau package %s; it stays pending.", package_id)


def run_package(package_id: int) -> BureauPackage | None:
    """Build the package's zip; a finished package is left alone (a redelivered task does nothing
    twice), one cut short by a lost worker starts over."""
    with transaction.atomic():
        package = BureauPackage.objects.select_for_update().filter(pk=package_id).first()
        if package is None or package.is_finished:
            return package
        package.status, package.started_at = BureauPackage.Status.RUNNING, timezone.now()
        package.save(update_fields=["status", "started_at"])
    try:
        with translation.override(package.language):
            _build(package)
    except PackageProblems as refused:
        return _fail(package, refused.problems)
    except Exception:
        logger.exception("Bureau package %s failed", package.pk)
        with translation.override(package.language):
            return _fail(package, [_("生成失败,请重试。")])
    package.status, package.finished_at = BureauPackage.Status.DONE, timezone.now()
    package.save(update_fields=["status", "finished_at", "file", "filename", "size", "sha256", "items"])
    return package


def _build(package: BureauPackage) -> None:
    filing = load_filing_for_checks(package.filing_id)
    # The filing may have changed since the request (a return, a new upload): judge it again.
    if filing.state not in PACKAGE_STATES:
        raise PackageProblems([_not_submitted(filing)])
    failures = run_submission_checks(filing).failures
    if failures:
        raise PackageProblems([result.message for result in failures])
    items = package_items(filing, read=_read)
    with tempfile.TemporaryFile() as out:
        write_package(filing, items, out)
        out.seek(0)
        digest = hashlib.file_digest(out, "sha256").hexdigest()
        package.size = out.tell()
        out.seek(0)
        package.filename = f"beian-{filing.pk}-{package.province_code}-{timezone.localtime():%Y%m%d%H%M}.zip"
        storage.store_file(package.file, out, name=package.filename, content_type="application/zip")
    package.sha256, package.items = digest, [item.as_json() for item in items]


def _not_submitted(filing: Filing) -> str:
    return _("备案处于“%(state)s”阶段;提交初审后才能生成管局材料包。") % {"state": filing.get_state_display()}


def _read(material: Material) -> bytes:
    with storage.open_stored_file(material.file) as stored:
        return stored.read()


def _fail(package: BureauPackage, problems: list[str]) -> BureauPackage:
    package.status, package.problems, package.finished_at = (
        BureauPackage.Status.FAILED,
        problems,
        timezone.now(),
    )
    package.save(update_fields=["status", "problems", "finished_at"])
    return package


def purge_packages(*, older_than: timedelta | None = None) -> int:
    """Delete packages (and their zips, which hold ID scans) made longer ago than `older_than`; return how many."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.BEIAN_PACKAGE_KEEP_DAYS))
    purged = 0
    for package in BureauPackage.objects.filter(created_at__lt=cutoff).only("pk", "file").iterator():
        if package.file:
            package.file.delete(save=False)
        package.delete()
        purged += 1
    return purged
