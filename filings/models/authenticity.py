"""The authenticity check (真实性核验): every principal's face check during entry, before the
provider's pre-review, and the further step some provinces add after the SMS."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing
from filings.models.people import Person


class AuthenticityCheck(models.Model):
    """One face check of one of a filing's principals: on the provider's console during entry (every
    principal, every province), or the province's own further step after the SMS, in its time."""

    class Step(models.TextChoices):
        ENTRY = "entry", _("填报时人脸核验")
        PROVINCE = "province", _("管局要求的附加核验")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待核验")
        PASSED = "passed", _("核验通过")
        FAILED = "failed", _("核验未通过")
        EXPIRED = "expired", _("核验超时")

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="authenticity_checks"
    )
    step = models.CharField(_("核验环节"), max_length=16, choices=Step.choices, default=Step.PROVINCE)
    stage_visit = models.PositiveIntegerField(_("阶段序号"))
    person = models.ForeignKey(Person, verbose_name=_("核验人"), on_delete=models.PROTECT, related_name="+")
    in_own_app = models.BooleanField(_("在管局自有应用中核验"), default=False)
    started_at = models.DateTimeField(_("开始时间"))
    expires_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
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
                fields=["filing", "stage_visit"],
                condition=models.Q(step="province"),
                name="authenticity_check_once_per_visit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_outcome_display()}"
