"""Whether a published filing's responsible people can be reached: each call a reviewer made."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing
from filings.models.people import Person


class CallAttempt(models.Model):
    """One call a reviewer made to a responsible person, as bureaus do before cancelling filings
    whose contacts cannot be reached."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("已接通")
        NO_ANSWER = "no_answer", _("无人接听")
        WRONG_PERSON = "wrong_person", _("非本人")
        OUT_OF_SERVICE = "out_of_service", _("号码已停机或空号")

    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="call_attempts"
    )
    person = models.ForeignKey(Person, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("拨打号码"), max_length=20)
    called_at = models.DateTimeField(_("拨打时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-called_at", "-id"]
        verbose_name = _("电话核实记录")
        verbose_name_plural = _("电话核实记录")
        indexes = [models.Index(fields=["filing", "person", "-called_at"], name="call_attempt_person")]

    def __str__(self) -> str:
        return f"{self.person} {self.number} {self.get_outcome_display()}"

    @property
    def failed(self) -> bool:
        return self.outcome != self.Outcome.ANSWERED
