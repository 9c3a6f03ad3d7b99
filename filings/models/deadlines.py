"""Deadlines computed when a filing enters a stage, and how they are labelled."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from filings.kinds.states import State
from filings.models.choices import OneLabelDisplay
from filings.models.filing import Filing
from filings.models.reference import Province

# A draft untouched this long is overdue; the stale-entry thresholds count back from it.
STALE_ENTRY_DAYS = 30


# Deadlines that follow publication: what gets a filing cancelled unless fixed in time.
RECTIFICATION_KINDS = ["footer_fix", "site_unreachable", "site_moved", "domain_expiry", "contact_confirm"]


class Deadline(OneLabelDisplay, models.Model):
    """A deadline computed when a filing entered a stage."""

    class Kind(models.TextChoices):
        # Limits counted in working days are data (a province's bureau limit, the review targets):
        # the label names the kind and Deadline.label adds the stored number of working days.
        PREREVIEW_TARGET = "prereview_target", _("初审目标")
        PREREVIEW_OVERDUE = "prereview_overdue", _("初审超期")
        SMS_WINDOW = "sms_window", _("短信核验时限(24小时)")
        FACE_CHECK = "face_check", _("真实性核验时限")
        BUREAU_REVIEW = "bureau_review", _("管局审核时限")
        PUBLIC_SECURITY = "public_security", _("公安联网备案(30天)")
        STALE_ENTRY = "stale_entry", _("信息填报停滞")
        # Opened by a failed footer check of a published site, closed by the next passing one.
        FOOTER_FIX = "footer_fix", _("页脚备案号整改")
        # Opened by a scheduled site check (filings.jobs.site_watch), closed by the next passing one.
        SITE_UNREACHABLE = "site_unreachable", _("网站无法访问整改")
        SITE_MOVED = "site_moved", _("网站接入地址整改")
        # The earliest expiry of a published website's domains.
        DOMAIN_EXPIRY = "domain_expiry", _("域名到期")
        # The principal's task to confirm their numbers after calls to them failed.
        CONTACT_CONFIRM = "contact_confirm", _("确认联系电话")

    # Indexed by deadline_once_per_visit, which starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="deadlines", db_index=False
    )
    # The filing's province (fixed when the filing is created), so that lists of one province's
    # deadlines walk an index in due order instead of checking every row's filing.
    province = models.ForeignKey(
        Province, verbose_name=_("省份"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    stage = models.CharField(_("阶段"), max_length=32, choices=State.choices)
    stage_visit = models.PositiveIntegerField(_("阶段序号"))
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    starts_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("截止时间"))
    workdays = models.PositiveSmallIntegerField(_("工作日数"), null=True, blank=True)
    provisional = models.BooleanField(
        _("暂定"), default=False, help_text=_("计算跨越了尚无官方放假安排的年份,录入后将重新计算")
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("截止时间")
        verbose_name_plural = _("截止时间")
        constraints = [
            models.UniqueConstraint(fields=["filing", "stage_visit", "kind"], name="deadline_once_per_visit"),
        ]
        indexes = [
            # "Is this filing overdue?" for each row a list walks: answered from the index alone.
            models.Index(
                fields=["filing", "due_at"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_filing_due",
            ),
            # The reviewer queues: one kind's open deadlines, nearest first.
            # Many deadlines share a due time (23:59:59 of a working day): id breaks the tie in the index.
            models.Index(
                fields=["kind", "due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_kind_due",
            ),
            models.Index(
                fields=["due_at", "id"], condition=Q(closed_at__isnull=True), name="deadline_open_due_id"
            ),
            models.Index(
                fields=["due_at", "id"],
                condition=Q(closed_at__isnull=True, provisional=True),
                name="deadline_open_provisional_id",
            ),
            models.Index(fields=["filing", "closed_at"]),
            # The same lists and queues narrowed to one province. A province's overdue and at-risk
            # lists keep a row by its kind and due time, and half the rows of the at-risk week are
            # of another kind or later than their kind's window: with what the lists read of a
            # deadline held in the index, those are passed over without reading the table.
            models.Index(
                fields=["province", "due_at", "id"],
                include=["kind", "filing", "workdays", "provisional"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_province_due",
            ),
            models.Index(
                fields=["kind", "province", "due_at", "id"],
                condition=Q(closed_at__isnull=True),
                name="deadline_open_kind_prov_due",
            ),
            models.Index(
                fields=["province", "due_at", "id"],
                condition=Q(closed_at__isnull=True, provisional=True),
                name="deadline_open_prov_provis",
            ),
            # Open rectifications after publication, oldest first (the compliance view, issue #25).
            models.Index(
                fields=["starts_at", "id"],
                condition=Q(closed_at__isnull=True, kind__in=RECTIFICATION_KINDS),
                name="deadline_open_rectif",
            ),
            models.Index(
                fields=["province", "kind", "starts_at", "id"],
                condition=Q(closed_at__isnull=True, kind__in=RECTIFICATION_KINDS),
                name="deadline_open_rectif_prov",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.due_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.province_id is None:
            self.province_id = self.filing.province_id
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """Return the kind with the limit this deadline was computed with, e.g. 管局审核时限(30个工作日)."""
        return deadline_label(self.Kind(self.kind).label, self.workdays)


def deadline_label(kind_label: str, workdays: int | None) -> str:
    if workdays is None:
        return str(kind_label)
    return _("%(kind)s(%(n)s个工作日)") % {"kind": kind_label, "n": workdays}
