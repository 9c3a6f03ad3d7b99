"""Whether a published filing's responsible people can be reached: each call a reviewer made and each
SMS the gateway could not deliver."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing
from filings.models.people import Person


class CallAttempt(models.Model):
    """One attempt to reach a responsible person, as bureaus make before cancelling filings whose
    contacts cannot be reached: a reviewer's call, or an SMS the gateway reported undelivered."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("已接通")
        NO_ANSWER = "no_answer", _("无人接听")
        WRONG_PERSON = "wrong_person", _("非本人")
        OUT_OF_SERVICE = "out_of_service", _("号码已停机或空号")
        UNDELIVERED = "undelivered", _("短信未送达")

    class Channel(models.TextChoices):
        CALL = "call", _("电话")
        SMS = "sms", _("短信")

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(
        Filing, verbose_name=_("备案"), on_delete=models.CASCADE, related_name="call_attempts", db_index=False
    )
    person = models.ForeignKey(Person, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("拨打号码"), max_length=20)
    called_at = models.DateTimeField(_("拨打时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices, default=Channel.CALL)
    # The gateway's message id: a delivery report it sends again is recorded once.
    report_id = models.CharField(_("短信回执编号"), max_length=64, blank=True)
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
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "person", "number", "report_id"],
                condition=~models.Q(report_id=""),
                name="call_attempt_report_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.number} {self.get_outcome_display()}"

    @property
    def failed(self) -> bool:
        return self.outcome != self.Outcome.ANSWERED


# What a reviewer may record of a call (the rest comes from the SMS gateway).
CALL_OUTCOMES = [
    (value, label) for value, label in CallAttempt.Outcome.choices if value != CallAttempt.Outcome.UNDELIVERED
]
