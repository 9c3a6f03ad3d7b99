"""What the rejection-risk estimate learns from: each submission's features, each decided
submission (a case), and the per-province, per-type counts the pages read."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.models.filing import Filing
from filings.models.reference import Province


class SubmittedFeatures(models.Model):
    """A filing's features as they were when it was submitted (one row per submission round), so
    that a later fix does not rewrite what the reviewer and the bureau judged."""

    # Found through an index or constraint below that starts with it.
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="+", db_index=False)
    round = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    # {feature: value}, see filings.rules.risk_features.
    features = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("提交时特征")
        verbose_name_plural = _("提交时特征")
        constraints = [
            models.UniqueConstraint(fields=["filing", "round"], name="submitted_features_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} #{self.round}"


class RiskCase(models.Model):
    """One decided submission: accepted (it went on to publication), returned by the provider or
    rejected by the bureau, with the features it was submitted with and the reasons given.
    Rebuilt from the filing history by filings.jobs.risk_summaries."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("通过")
        RETURNED = "returned", _("服务商退回")
        REJECTED = "rejected", _("管局退回")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    filing_type = models.CharField(max_length=16, choices=Filing.Type.choices)
    decided_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    features = models.JSONField(default=dict)
    # The reasons' keys: the catalogue code when the reviewer chose one, else the reason text.
    reasons = models.JSONField(default=list)

    class Meta:
        verbose_name = _("退回风险样本")
        verbose_name_plural = _("退回风险样本")
        indexes = [models.Index(fields=["decided_at"], name="risk_case_decided")]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.outcome} {self.decided_at:%Y-%m-%d}"


class RiskSummary(models.Model):
    """Decided submissions of one province (or, with none, of the whole country) and filing type
    that had one feature value (or, with an empty feature, all of them): how many, how many were
    returned or rejected, and each reason's count. The estimate of a filing reads its province's and
    the country's rows of its type, a few dozen."""

    # Found through an index or constraint below that starts with it.
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    filing_type = models.CharField(max_length=16, choices=Filing.Type.choices)
    feature = models.CharField(max_length=32, blank=True)
    value = models.CharField(max_length=32, blank=True)
    decisions = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # {reason key: how many decisions gave it}
    reasons = models.JSONField(default=dict)
    # On the row of all decisions (empty feature) only: {reason key: {"reason": …, "fix": …}}, each
    # text a stored source (filings.models.wording) taken from the catalogue at the refresh, or for a
    # reason outside it its text and no fix; so that a page reads one table.
    reason_words = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("退回风险汇总")
        verbose_name_plural = _("退回风险汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "filing_type", "feature", "value"], name="risk_summary_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.province_id} {self.filing_type} {self.feature}={self.value} {self.decisions}"
