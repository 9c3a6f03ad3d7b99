"""Bureau-ready packages of a filing's materials, built by a worker and downloaded by reviewers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing


def package_upload_to(package: "BureauPackage", filename: str) -> str:
    # Under the private media root (never routed): files leave only through the download view.
    return f"packages/{package.filing_id}/{package.pk or 'new'}-{filename}"


class BureauPackage(models.Model):
    """One requested package: for which filing, who asked, how far it got, its zip and its contents."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未能生成")

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing,
        verbose_name=_("备案"),
        on_delete=models.CASCADE,
        related_name="bureau_packages",
        db_index=False,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    province_code = models.CharField(_("管局省份"), max_length=2)
    language = models.CharField(_("语言"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("文件"), upload_to=package_upload_to, blank=True, max_length=200)
    filename = models.CharField(_("文件名"), max_length=150, blank=True)
    size = models.PositiveBigIntegerField(_("大小(字节)"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # [{"position": 1, "name": "01-主体证件.jpg", "kind": "business_licence", "material_id": 3,
    #   "material_version": 2, "sha256": "…", "bytes": 812345, "width": 3508, "height": 2480, "dpi": 300}]
    items = models.JSONField(_("材料清单"), default=list, blank=True)
    # What stopped the build, one line per problem (missing materials, limits a file cannot meet).
    problems = models.JSONField(_("问题"), default=list, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("管局材料包")
        verbose_name_plural = _("管局材料包")
        indexes = [models.Index(fields=["filing", "-created_at"], name="package_filing_created")]

    def __str__(self) -> str:
        return f"{self.filing_id} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
