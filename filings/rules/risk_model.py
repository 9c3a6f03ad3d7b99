"""The rejection-risk model: how likely a filing is to be sent back, and why, from the counts of
past decisions of its province and filing type.

The counts (one "slice" per province and filing type) are, over every decided submission: N
decisions, R of them returned by the provider and J rejected by the bureau (A = N − R − J went on);
for each feature f and value v the same three counts among the decisions whose filing had f = v;
for each reason k the decisions that gave it, C(k), and C(k, f = v).

For a filing with features x, naive Bayes over the three outcomes o (accepted, returned, rejected):

    P(o | x) ∝ P(o) · Π_f P(x_f | o),   P(o) = (N_o + ½) / (N + 3/2),
    P(x_f = v | o) = (N_o(f = v) + m · P(f = v)) / (N_o + m),   P(f = v) = (N(f = v) + 1) / (N + V_f)

normalised over the outcomes: each outcome's likelihood of a value is smoothed towards how common
the value is overall (an m-estimate, m = 2; V_f the number of values f takes in the slice plus one
for a value never seen), so that a value seen in few decisions of an outcome says little, and a
feature every decision shares cancels out. The chance shown is P(returned | x) + P(rejected | x).
The reasons are ranked the same way among the decisions that were sent back:

    score(k | x) = C(k) / (R + J) · Π_f (C(k, f = v) + m · P(f = v)) / (C(k) + m)

and each shown reason's share is its score over the sum of all reasons' scores, times the chance.
A feature that does not matter has the same share of every outcome, so its factors cancel; one that
matters moves the estimate by how much more often its value was seen among the sent-back decisions.
Under `minimum` decisions in the slice the estimate says the history is too thin.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

OUTCOMES = ("accepted", "returned", "rejected")
M = 2.0
TOP_REASONS = 3


@dataclass
class Counts:
    decisions: int = 0
    returned: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def of(self, outcome: str) -> int:
        if outcome == "returned":
            return self.returned
        if outcome == "rejected":
            return self.rejected
        return self.decisions - self.returned - self.rejected

    def add(self, outcome: str, reasons: Iterable[str]) -> None:
        self.decisions += 1
        if outcome == "returned":
            self.returned += 1
        elif outcome == "rejected":
            self.rejected += 1
        for key in set(reasons):
            self.reasons[key] = self.reasons.get(key, 0) + 1


@dataclass
class SliceCounts:
    """The counts of one province and filing type: all decisions, and those with each feature value."""

    total: Counts = field(default_factory=Counts)
    by_value: dict[tuple[str, str], Counts] = field(default_factory=dict)

    def add(self, outcome: str, features: dict[str, str], reasons: Iterable[str]) -> None:
        reasons = list(reasons)
        self.total.add(outcome, reasons)
        for feature, value in features.items():
            self.by_value.setdefault((feature, str(value)), Counts()).add(outcome, reasons)

    def values_of(self) -> dict[str, int]:
        """Return how many values each feature takes in this slice."""
        seen: dict[str, int] = {}
        for feature, _value in self.by_value:
            seen[feature] = seen.get(feature, 0) + 1
        return seen


@dataclass(frozen=True)
class ReasonChance:
    key: str
    chance: float


@dataclass(frozen=True)
class Risk:
    cases: int
    enough: bool
    returned: float = 0.0
    rejected: float = 0.0
    reasons: tuple[ReasonChance, ...] = ()

    @property
    def chance(self) -> float:
        """Return the chance of being sent back, by the provider or by the bureau."""
        return self.returned + self.rejected


def tally(cases: Iterable[tuple]) -> dict[tuple, SliceCounts]:
    """Return the counts of each (province_id, filing_type) from cases given as
    (province_id, filing_type, outcome, features, reason keys)."""
    slices: dict[tuple, SliceCounts] = {}
    for province_id, filing_type, outcome, features, reasons in cases:
        slices.setdefault((province_id, filing_type), SliceCounts()).add(outcome, features, reasons)
    return slices


def base_rate(counts: SliceCounts | None) -> float:
    """Return the smoothed share of decisions sent back, whatever the features."""
    if counts is None:
        return 0.0
    total = counts.total
    return (total.returned + total.rejected + 1) / (total.decisions + 2)


def estimate(counts: SliceCounts | None, features: dict[str, str], *, minimum: int) -> Risk:
    """Return the chance that a filing with these features is returned or rejected, and its most
    likely reasons, from its slice's counts (see the module's docstring)."""
    if counts is None or counts.total.decisions < minimum:
        return Risk(cases=counts.total.decisions if counts else 0, enough=False)
    total = counts.total
    overall = _overall_shares(counts, features)
    logs = {}
    for outcome in OUTCOMES:
        n_outcome = total.of(outcome)
        log = math.log((n_outcome + 0.5) / (total.decisions + 1.5))
        for feature, value in features.items():
            with_value = counts.by_value.get((feature, str(value)))
            seen = with_value.of(outcome) if with_value else 0
            log += math.log((seen + M * overall[feature]) / (n_outcome + M))
        logs[outcome] = log
    top = max(logs.values())
    weights = {o: math.exp(v - top) for o, v in logs.items()}
    whole = sum(weights.values())
    returned, rejected = weights["returned"] / whole, weights["rejected"] / whole
    return Risk(
        cases=total.decisions,
        enough=True,
        returned=returned,
        rejected=rejected,
        reasons=_likely_reasons(counts, features, overall, returned + rejected),
    )


def _overall_shares(counts: SliceCounts, features: dict[str, str]) -> dict[str, float]:
    """Return how common each of the filing's feature values is among all the slice's decisions."""
    sizes = counts.values_of()
    shares = {}
    for feature, value in features.items():
        with_value = counts.by_value.get((feature, str(value)))
        seen = with_value.decisions if with_value else 0
        shares[feature] = (seen + 1) / (counts.total.decisions + sizes.get(feature, 0) + 1)
    return shares


def _likely_reasons(
    counts: SliceCounts, features: dict[str, str], overall: dict[str, float], chance: float
) -> tuple[ReasonChance, ...]:
    total = counts.total
    sent_back = total.returned + total.rejected
    if not sent_back or not total.reasons:
        return ()
    logs = {}
    for key, given in total.reasons.items():
        log = math.log(given / sent_back)
        for feature, value in features.items():
            with_value = counts.by_value.get((feature, str(value)))
            seen = with_value.reasons.get(key, 0) if with_value else 0
            log += math.log((seen + M * overall[feature]) / (given + M))
        logs[key] = log
    top = max(logs.values())
    weights = {k: math.exp(v - top) for k, v in logs.items()}
    whole = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
    return tuple(ReasonChance(key, chance * weight / whole) for key, weight in ranked)
