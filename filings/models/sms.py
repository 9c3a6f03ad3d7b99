"""The people who must confirm the MIIT SMS code in a filing's SMS round (短信核验)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing
from filings.models.people import Person


class SmsVerifier(models.Model):
    """A person who must confirm the MIIT SMS code in one SMS round (one row per phone)."""

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="sms_verifiers", db_index=False
    )
    stage_visit = models.PositiveIntegerField(_("阶段序号"))
    person = models.ForeignKey(Person, verbose_name=_("核验人"), on_delete=models.PROTECT, related_name="+")
    mobile = models.CharField(_("手机号码"), max_length=20)
    sent_at = models.DateTimeField(_("短信发送时间"))
    verified_at = models.DateTimeField(_("核验完成时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["filing", "stage_visit", "id"]
        verbose_name = _("短信核验人")
        verbose_name_plural = _("短信核验人")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "stage_visit", "mobile"], name="sms_verifier_once_per_phone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.mobile}"
