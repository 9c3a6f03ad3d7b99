"""The authenticity check (真实性核验): the responsible person's face check after pre-review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.models.core import Filing, Person


class AuthenticityCheck(models.Model):
    """One face check a filing's responsible person must pass within the province's time limit."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待核验")
        PASSED = "passed", _("核验通过")
        FAILED = "failed", _("核验未通过")
        EXPIRED = "expired", _("核验超时")

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="authenticity_checks"
    )
    stage_visit = models.PositiveIntegerField(_("阶段序号"))
    person = models.ForeignKey(Person, verbose_name=_("核验人"), on_delete=models.PROTECT, related_name="+")
    in_own_app = models.BooleanField(_("在管局自有应用中核验"), default=False)
    started_at = models.DateTimeField(_("开始时间"))
    expires_at = models.DateTimeField(_("截止时间"))
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.CharField(_("未通过原因"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["filing", "stage_visit"]
        verbose_name = _("真实性核验")
        verbose_name_plural = _("真实性核验")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "stage_visit"], name="authenticity_check_once_per_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_outcome_display()}"
