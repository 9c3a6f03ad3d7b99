"""Uploaded materials (licences, ID cards, pledges…), one row per version."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.choices import OneLabelDisplay
from filings.models.filing import Filing
from filings.models.people import Person
from filings.models.websites import Website


def material_upload_to(instance: "Material", filename: str) -> str:
    # The user's filename is never part of the path.
    return f"materials/{instance.filing_id}/{uuid.uuid4().hex}"


class Material(OneLabelDisplay, models.Model):
    """One uploaded version of a material; versions are never overwritten."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("营业执照/主体证件")
        ID_FRONT = "id_front", _("身份证人像面")
        ID_BACK = "id_back", _("身份证国徽面")
        CONSTRUCTION_PLAN = "construction_plan", _("网站建设方案书")
        PLEDGE = "pledge", _("互联网信息服务备案承诺书")
        PRIOR_APPROVAL = "prior_approval", _("前置审批文件")
        AUTHORISATION = "authorisation", _("授权书")
        RESIDENCE_PERMIT = "residence_permit", _("居住证")
        OTHER = "other", _("其他材料")

    class CheckStatus(models.TextChoices):
        PASS = "pass", _("通过")
        WARNING = "warning", _("提示")
        FAIL = "fail", _("未通过")

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.PROTECT, related_name="materials", db_index=False
    )
    kind = models.CharField(_("材料类型"), max_length=32, choices=Kind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("对应负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    website = models.ForeignKey(
        Website,
        verbose_name=_("对应网站"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Which person or website the material belongs to ("person:12", "website:3", or "" for the filing).
    slot = models.CharField(max_length=32, blank=True, editable=False)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    file = models.FileField(_("文件"), upload_to=material_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    dpi = models.PositiveIntegerField(null=True, blank=True)
    check_status = models.CharField(_("检查结果"), max_length=16, choices=CheckStatus.choices)
    # [{"code": "dpi", "status": "fail", "message": "…", "advice": "…"}]
    check_results = models.JSONField(_("检查详情"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["filing", "kind", "-version"]
        verbose_name = _("材料")
        verbose_name_plural = _("材料")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "kind", "slot", "version"], name="material_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"
