"""Materials: store a new version of an uploaded document with its quality-check results."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from filings.exceptions import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from filings.kinds.states import EDITABLE_STATES
from filings.models import Filing, FilingEvent, Material, storage
from filings.models import transition_rules as transition_perms
from filings.models.wording import said
from filings.rules import scans
from filings.services.drafts import restart_stale_entry
from filings.services.transitions import lock_filing


def upload_material(
    filing: Filing,
    *,
    by: Any,
    kind: str,
    upload: Any,
    person_id: int | None = None,
    website_id: int | None = None,
) -> Material:
    """Store a new version of a material with its quality-check results; old versions stay."""
    if kind not in Material.Kind.values:
        raise InvalidInput(_("材料类型不正确。"), details={"kind": [_("请选择材料类型。")]})
    if not transition_perms.can_edit_filing(by, filing):
        raise TransitionNotPermitted(_("只有该备案的服务负责人可以上传材料。"))
    if filing.state not in EDITABLE_STATES:
        raise TransitionNotPossible(
            _("备案处于“%(state)s”阶段,不能上传材料。") % {"state": filing.get_state_display()}
        )
    try:
        result = scans.inspect_upload(upload, material_kind=kind, max_bytes=settings.MATERIAL_MAX_BYTES)
    except scans.UploadRejected as error:
        raise InvalidInput(error.message, code=error.code, details={"file": [error.message]}) from error
    slot = f"person:{person_id}" if person_id else (f"website:{website_id}" if website_id else "")
    # The file is written before its row, outside the filing's lock (a store's latency never holds it);
    # a row that cannot be saved takes its file with it, so no row ever names a missing file.
    staged = Material(filing=filing)
    storage.store_file(staged.file, upload, name="upload", content_type=result.content_type)
    try:
        with transaction.atomic():
            locked = lock_filing(filing)
            if person_id and not _person_belongs(locked, person_id):
                raise InvalidInput(
                    _("负责人不属于该备案。"), details={"person": [_("请选择本备案的负责人。")]}
                )
            if website_id and not locked.websites.filter(pk=website_id).exists():
                raise InvalidInput(_("网站不属于该备案。"), details={"website": [_("请选择本备案的网站。")]})
            current = (
                Material.objects.filter(filing=locked, kind=kind, slot=slot).aggregate(v=Max("version"))["v"]
                or 0
            )
            material = Material(
                filing=locked,
                kind=kind,
                slot=slot,
                person_id=person_id,
                website_id=website_id,
                version=current + 1,
                original_name=(getattr(upload, "name", "") or "")[:200],
                content_type=result.content_type,
                size=result.size,
                sha256=result.sha256,
                width=result.width,
                height=result.height,
                dpi=result.dpi,
                check_status=result.status,
                check_results=result.as_json(),
                uploaded_by=by,
                file=staged.file.name,
            )
            material.save()
            FilingEvent.record_step(
                locked,
                transition="upload",
                by=by,
                comment=said(
                    gettext_noop("上传%(kind)s 第%(v)s版:%(status)s"),
                    kind=Material.Kind(material.kind).label,
                    v=material.version,
                    status=Material.CheckStatus(material.check_status).label,
                ),
            )
            restart_stale_entry(locked, now=timezone.now())
    except BaseException:
        storage.discard_file(staged.file)
        raise
    return material


def _person_belongs(filing: Filing, person_id: int) -> bool:
    return (
        person_id == filing.subject_principal_id
        or filing.websites.filter(principal_id=person_id).exists()
        or filing.apps.filter(principal_id=person_id).exists()
    )
