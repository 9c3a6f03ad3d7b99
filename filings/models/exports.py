"""Excel exports made by a worker for the user who asked, kept privately until downloaded."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_upload_to(job: "ExportJob", filename: str) -> str:
    # Under the private media root (never routed): files leave only through the download view.
    return f"exports/{job.user_id}/{job.pk or 'new'}-{filename}"


class ExportJob(models.Model):
    """One requested export: who asked, what (source and filters), how far it got and its file."""

    class Source(models.TextChoices):
        QUEUE = "queue", _("审核队列")
        DEADLINES = "deadlines", _("截止时间列表")
        OPEN_FILINGS = "open_filings", _("进行中的备案")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # Found through an index or constraint below that starts with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
        db_index=False,
    )
    source = models.CharField(_("导出内容"), max_length=20, choices=Source.choices)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    language = models.CharField(_("语言"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    row_cap = models.PositiveIntegerField(_("行数上限"))
    rows_expected = models.PositiveIntegerField(_("预计行数"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("已写行数"), default=0)
    truncated = models.BooleanField(_("超出上限已截断"), default=False)
    file = models.FileField(_("文件"), upload_to=export_upload_to, blank=True, max_length=200)
    filename = models.CharField(_("文件名"), max_length=100, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [models.Index(fields=["user", "-created_at"], name="exportjob_user_created")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """How far the worker got, 0-100."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_expected:
            return 0
        return min(99, self.rows_written * 100 // self.rows_expected)
