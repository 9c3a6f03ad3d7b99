"""An honest measure of the rejection-risk estimate: learn from the decisions before a date, predict
those after it, and compare with the province's base rate.

Calibration is shown by decile of the predictions (the test cases sorted by predicted chance and
cut into ten groups of equal size): each group's mean predicted chance beside the share of its
cases that really came back. The Brier score is the mean of (predicted − outcome)², outcome 1 for a
return or rejection; the base rate predicts every case of a province and type with the share of
its training decisions that came back, and skill = 1 − Brier / Brier of the base rate.
"""

from dataclasses import dataclass, field
from datetime import datetime

from filings.jobs.risk_summaries import case_rows
from filings.models import RiskCase
from filings.rules import risk_model

DECILES = 10


@dataclass(frozen=True)
class Decile:
    cases: int
    predicted: float
    observed: float


@dataclass
class Evaluation:
    trained_on: int = 0
    tested: int = 0
    too_little_history: int = 0
    brier: float = 0.0
    base_brier: float = 0.0
    deciles: list[Decile] = field(default_factory=list)

    @property
    def skill(self) -> float:
        return 1 - self.brier / self.base_brier if self.base_brier else 0.0


def evaluate(*, before: datetime, minimum: int) -> Evaluation:
    """Return how well estimates learnt from the cases decided before `before` predict the later ones."""
    trained = risk_model.tally(case_rows(RiskCase.objects.filter(decided_at__lt=before)))
    result = Evaluation(
        trained_on=sum(counts.total.decisions for (province, _type), counts in trained.items() if province)
    )
    scored: list[tuple[float, int]] = []
    squared = base_squared = 0.0
    tests = RiskCase.objects.filter(decided_at__gte=before).order_by("decided_at", "id")
    for province_id, filing_type, outcome, features, _reasons in case_rows(tests):
        counts = trained.get((province_id, filing_type))
        risk = risk_model.estimate(
            counts, features, minimum=minimum, national=trained.get((None, filing_type))
        )
        if not risk.enough:
            result.too_little_history += 1
            continue
        came_back = int(outcome != RiskCase.Outcome.ACCEPTED)
        squared += (risk.chance - came_back) ** 2
        base_squared += (risk_model.base_rate(counts) - came_back) ** 2
        scored.append((risk.chance, came_back))
    result.tested = len(scored)
    if scored:
        result.brier = squared / len(scored)
        result.base_brier = base_squared / len(scored)
        result.deciles = deciles(scored)
    return result


def deciles(scored: list[tuple[float, int]]) -> list[Decile]:
    """Return the predictions cut into ten groups of equal size by predicted chance (fewer when
    there are fewer than ten), each with its mean prediction and observed share."""
    ordered = sorted(scored)
    groups = min(DECILES, len(ordered))
    result = []
    for index in range(groups):
        part = ordered[index * len(ordered) // groups : (index + 1) * len(ordered) // groups]
        result.append(
            Decile(
                cases=len(part),
                predicted=sum(p for p, _y in part) / len(part),
                observed=sum(y for _p, y in part) / len(part),
            )
        )
    return result
