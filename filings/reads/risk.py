"""The rejection-risk estimate of one filing, read from the summaries of its province and type
(one query of a few dozen rows), in words for its pages and its API."""

import json
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.kinds.states import State
from filings.models import Filing, RiskSummary, wording
from filings.rules import risk_model
from filings.rules.checks import Checklist
from filings.rules.risk_features import filing_features

# The stages in which a filing can still be changed before it is judged.
ESTIMATED_STATES = (State.ENTRY, State.PROVIDER_REVIEW)


@dataclass(frozen=True)
class LikelyReason:
    code: str
    reason: str
    suggested_fix: str
    chance: float

    @property
    def percent(self) -> int:
        return round(self.chance * 100)


@dataclass(frozen=True)
class RiskEstimate:
    province: str
    filing_type: str
    cases: int
    minimum: int
    enough: bool
    chance: float
    returned: float
    rejected: float
    reasons: tuple[LikelyReason, ...]
    features: dict[str, str]

    @property
    def percent(self) -> int:
        return round(self.chance * 100)

    @property
    def returned_percent(self) -> int:
        return round(self.returned * 100)

    @property
    def rejected_percent(self) -> int:
        return round(self.rejected * 100)

    @property
    def summary(self) -> str:
        """Return the estimate in one sentence, e.g. "浙江同类备案 18% 曾被退回,最常见原因:…(改法:…)"."""
        if not self.enough:
            return _(
                "%(province)s同类备案历史不足(%(cases)s 个,至少需要 %(minimum)s 个),暂不估算退回风险。"
            ) % {
                "province": self.province,
                "cases": self.cases,
                "minimum": self.minimum,
            }
        text = _("%(province)s同类备案 %(percent)s%% 曾被退回") % {
            "province": self.province,
            "percent": self.percent,
        }
        if self.reasons:
            first = self.reasons[0]
            text += _(",最常见原因:%(reason)s") % {"reason": first.reason.rstrip("。")}
            if first.suggested_fix:
                text += _("(改法:%(fix)s)") % {"fix": first.suggested_fix.rstrip("。")}
        return text

    @property
    def basis(self) -> str:
        return _("按%(province)s %(cases)s 个同类(%(type)s)已审结的提交估算") % {
            "province": self.province,
            "cases": self.cases,
            "type": self.filing_type,
        }


# The pages read this for every filing they show in entry or pre-review. Plain SQL, the JSON read as
# text and decoded here, the reasons' words only from the province's total row: through the ORM the
# query's compilation and every row's JSONField conversion were two thirds of the read's 5-6 ms at
# a million filings (bench/risk.py); the database's part is 0.1 ms.
SLICE_SQL = f"""
    SELECT province_id, feature, value, decisions, returned, rejected, CAST(reasons AS TEXT),
           CASE WHEN feature = '' AND province_id IS NOT NULL THEN CAST(reason_words AS TEXT) END
      FROM {RiskSummary._meta.db_table}
     WHERE (province_id = %s OR province_id IS NULL) AND filing_type = %s
"""


def slice_counts(province_id: int, filing_type: str) -> tuple[dict, dict]:
    """Return the summarised counts of one filing type in the province and in the whole country,
    keyed by province id (None for the country), and the words of their reasons."""
    counts: dict[int | None, risk_model.SliceCounts] = {}
    words: dict[str, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(SLICE_SQL, [province_id, filing_type])
        rows = cursor.fetchall()
    for province, feature, value, decisions, returned, rejected, reasons, reason_words in rows:
        row = risk_model.Counts(decisions, returned, rejected, json.loads(reasons))
        target = counts.setdefault(province, risk_model.SliceCounts())
        if feature:
            target.by_value[(feature, value)] = row
        else:
            target.total = row
            if reason_words is not None:
                words = json.loads(reason_words)
    return counts, words


def rejection_risk(
    filing: Filing, checklist: Checklist | None, *, today: date | None = None
) -> RiskEstimate | None:
    """Return the estimate for a filing in entry or pre-review (None in other stages), from a filing
    loaded as the checklist loads it and its checklist."""
    if filing.state not in ESTIMATED_STATES:
        return None
    features = filing_features(filing, checklist, today=today or timezone.localdate())
    counts, words = slice_counts(filing.province_id, filing.filing_type)
    minimum = settings.BEIAN_RISK_MIN_CASES
    risk = risk_model.estimate(
        counts.get(filing.province_id), features, minimum=minimum, national=counts.get(None)
    )
    return RiskEstimate(
        province=_(filing.province.short_name),
        filing_type=filing.type_label,
        cases=risk.cases,
        minimum=minimum,
        enough=risk.enough,
        chance=risk.chance,
        returned=risk.returned,
        rejected=risk.rejected,
        reasons=tuple(
            LikelyReason(
                code=r.key,
                reason=_said(words.get(r.key, {}).get("reason"), r.key),
                suggested_fix=_said(words.get(r.key, {}).get("fix"), ""),
                chance=r.chance,
            )
            for r in risk.reasons
        ),
        features=features,
    )


def _said(stored, default: str) -> str:
    if wording.is_source(stored):
        return wording.say(stored, default)
    return str(stored) if stored else default
