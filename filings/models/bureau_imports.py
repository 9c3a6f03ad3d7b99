"""Bureau decisions imported from a result file: the upload, and each row with what it did."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import filings.models.wording as wording


def import_upload_to(upload: "BureauImport", filename: str) -> str:
    # Under the private media root: the file is kept as the record of what was imported.
    return f"bureau_imports/{upload.uploaded_by_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}"


class BureauImport(models.Model):
    """One result file a reviewer uploaded, previewed and (perhaps) applied."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        QUEUED = "queued", _("排队中")
        APPLYING = "applying", _("导入中")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("导入中断")

    file = models.FileField(_("文件"), upload_to=import_upload_to, max_length=200)
    filename = models.CharField(_("文件名"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="bureau_imports",
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREVIEW)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    language = models.CharField(_("语言"), max_length=10, default=settings.LANGUAGE_CODE)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("管局结果导入")
        verbose_name_plural = _("管局结果导入")

    def __str__(self) -> str:
        return f"{self.filename} #{self.pk}"

    @property
    def percent(self) -> int:
        """How far applying got, 0-100."""
        if self.status == self.Status.APPLIED:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class BureauImportRow(models.Model):
    """One line of an imported file: the filing it names and what applying it does or did."""

    class Action(models.TextChoices):
        APPROVE = "approved", _("审核通过")
        REJECT = "rejected", _("驳回")

    class Status(models.TextChoices):
        READY = "ready", _("待导入")
        INVALID = "invalid", _("不能导入")
        RECORDED = "recorded", _("已记录,无需导入")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("导入失败")

    # Found through an index or constraint below that starts with it.
    upload = models.ForeignKey(BureauImport, on_delete=models.CASCADE, related_name="rows", db_index=False)
    line = models.PositiveIntegerField(_("行号"))
    filing = models.ForeignKey(
        "filings.Filing", verbose_name=_("备案"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("结果"), max_length=10, choices=Action.choices, blank=True)
    reference = models.CharField(_("备案编号"), max_length=64, blank=True)
    certificate_number = models.CharField(_("证件号码"), max_length=64, blank=True)
    domain = models.CharField(_("网站域名"), max_length=253, blank=True)
    icp_number = models.CharField(_("备案号"), max_length=40, blank=True)
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    message_source = models.JSONField(default=dict, blank=True)
    # The decision itself (filing, stage visit, result, number): one decision is applied once,
    # whichever file or upload carries it again.
    decision_key = models.CharField(max_length=200, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        ordering = ["upload", "line"]
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        constraints = [
            models.UniqueConstraint(fields=["upload", "line"], name="bureau_import_row_line"),
            models.UniqueConstraint(
                fields=["decision_key"],
                condition=models.Q(status="applied"),
                name="bureau_import_decision_once",
            ),
        ]
        indexes = [models.Index(fields=["upload", "status"], name="bureau_import_row_status")]

    def __str__(self) -> str:
        return f"{self.upload_id}:{self.line}"

    @property
    def shown_message(self) -> str:
        """Return the message in the reader's language when the system wrote it, else as written."""
        return wording.say(self.message_source, self.message)
