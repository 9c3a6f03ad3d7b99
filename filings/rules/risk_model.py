"""The rejection-risk model: how likely a filing is to be sent back, and why, from the counts of
past decisions of its province and filing type.

The counts (one "slice" per province and filing type) are, over every decided submission: N
decisions, R of them returned by the provider and J rejected by the bureau (A = N − R − J went on);
for each feature f and value v the same three counts among the decisions whose filing had f = v;
for each reason k the decisions that gave it, C(k), and C(k, f = v).

For a filing with features x, naive Bayes over the three outcomes o (accepted, returned, rejected),
the outcome shares from the province and each feature's weight drawn towards the whole country's
(the same counts over every province, "national"):

    P(o | x) ∝ P(o) · Π_f P(x_f | o),   P(o) = (N_o + ½) / (N + 3/2)   (the province's own),
    national: Q(x_f = v | o) = (Nn_o(f = v) + m · P(f = v)) / (Nn_o + m),
              P(f = v) = (Nn(f = v) + 1) / (Nn + V_f)
    province: P(x_f = v | o) = (N_o(f = v) + m' · Q(x_f = v | o)) / (N_o + m')

normalised over the outcomes, with m = 2, m' = 20 and V_f the number of values f takes plus one
(for a value never seen). A province with few decisions of an outcome leans on the country's
feature weights; one with many speaks for itself; a feature every decision shares cancels out.
The chance shown is P(returned | x) + P(rejected | x). The reasons k are ranked the same way
among the province's decisions that were sent back, from C(k) and C(k, f = v):

    score(k | x) = C(k) / (R + J) · Π_f P(x_f | k)   (P(x_f | k) pooled as above)

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
# How many of its own decisions a province needs before its own feature weights count as much as
# the country's.
M_POOL = 20.0
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

    def merge(self, other: "Counts", sign: int = 1) -> None:
        """Add (or with sign −1, take away) another group's counts."""
        self.decisions += sign * other.decisions
        self.returned += sign * other.returned
        self.rejected += sign * other.rejected
        for key, n in other.reasons.items():
            self.reasons[key] = self.reasons.get(key, 0) + sign * n
            if not self.reasons[key]:
                del self.reasons[key]

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

    def merge(self, other: "SliceCounts", sign: int = 1) -> None:
        """Add (or with sign −1, take away) another slice's counts; values left with no decision go."""
        self.total.merge(other.total, sign)
        for key, counts in other.by_value.items():
            mine = self.by_value.setdefault(key, Counts())
            mine.merge(counts, sign)
            if not mine.decisions:
                del self.by_value[key]

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
    """Return the counts of each (province_id, filing_type), and of each filing type in the whole
    country as (None, filing_type), from cases given as (province_id, filing_type, outcome,
    features, reason keys)."""
    slices: dict[tuple, SliceCounts] = {}
    for province_id, filing_type, outcome, features, reasons in cases:
        slices.setdefault((province_id, filing_type), SliceCounts()).add(outcome, features, reasons)
        slices.setdefault((None, filing_type), SliceCounts()).add(outcome, features, reasons)
    return slices


def base_rate(counts: SliceCounts | None) -> float:
    """Return the smoothed share of decisions sent back, whatever the features."""
    if counts is None:
        return 0.0
    total = counts.total
    return (total.returned + total.rejected + 1) / (total.decisions + 2)


def estimate(
    counts: SliceCounts | None,
    features: dict[str, str],
    *,
    minimum: int,
    national: SliceCounts | None = None,
) -> Risk:
    """Return the chance that a filing with these features is returned or rejected, and its most
    likely reasons, from its province's counts, each feature's weight drawn towards the country's
    (see the module's docstring)."""
    if counts is None or counts.total.decisions < minimum:
        return Risk(cases=counts.total.decisions if counts else 0, enough=False)
    total = counts.total
    pool = national if national is not None and national.total.decisions else counts
    overall = _overall_shares(pool, features)
    logs = {}
    for outcome in OUTCOMES:
        log = math.log((total.of(outcome) + 0.5) / (total.decisions + 1.5))
        for feature, value in features.items():
            log += math.log(
                _pooled(counts, pool, (feature, str(value)), overall[feature], lambda c, o=outcome: c.of(o))
            )
        logs[outcome] = log
    shares = _normalised(logs)
    returned, rejected = shares["returned"], shares["rejected"]
    return Risk(
        cases=total.decisions,
        enough=True,
        returned=returned,
        rejected=rejected,
        reasons=_likely_reasons(counts, pool, features, overall, returned + rejected),
    )


def _pooled(counts: SliceCounts, pool: SliceCounts, key: tuple[str, str], overall: float, count) -> float:
    """Return the smoothed share of a group's decisions (an outcome's, a reason's) that had a feature
    value: the country's drawn towards the value's overall share, the province's towards that."""
    national = _share(pool, key, count, overall, M)
    return national if pool is counts else _share(counts, key, count, national, M_POOL)


def _share(counts: SliceCounts, key: tuple[str, str], count, prior: float, weight: float) -> float:
    with_value = counts.by_value.get(key)
    seen = count(with_value) if with_value else 0
    return (seen + weight * prior) / (count(counts.total) + weight)


def _normalised(logs: dict[str, float]) -> dict[str, float]:
    top = max(logs.values())
    weights = {key: math.exp(value - top) for key, value in logs.items()}
    whole = sum(weights.values())
    return {key: weight / whole for key, weight in weights.items()}


def _overall_shares(counts: SliceCounts, features: dict[str, str]) -> dict[str, float]:
    """Return how common each of the filing's feature values is among all the decisions counted."""
    sizes = counts.values_of()
    shares = {}
    for feature, value in features.items():
        with_value = counts.by_value.get((feature, str(value)))
        seen = with_value.decisions if with_value else 0
        shares[feature] = (seen + 1) / (counts.total.decisions + sizes.get(feature, 0) + 1)
    return shares


def _likely_reasons(
    counts: SliceCounts, pool: SliceCounts, features: dict[str, str], overall: dict[str, float], chance: float
) -> tuple[ReasonChance, ...]:
    total = counts.total
    sent_back = total.returned + total.rejected
    if not sent_back or not total.reasons:
        return ()
    logs = {}
    for key, given in total.reasons.items():
        log = math.log(given / sent_back)
        for feature, value in features.items():
            log += math.log(
                _pooled(
                    counts,
                    pool,
                    (feature, str(value)),
                    overall[feature],
                    lambda c, k=key: c.reasons.get(k, 0),
                )
            )
        logs[key] = log
    shares = _normalised(logs)
    ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
    return tuple(ReasonChance(key, chance * share) for key, share in ranked)
