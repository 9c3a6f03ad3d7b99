"""The rejection-risk summaries: decided submissions (cases) rebuilt from the filing history, and
the per-province, per-type counts the pages read (filings.rules.risk_model says what they mean).

The history is append-only, so a decision once recorded never changes: each refresh rebuilds the
cases of the filings with a decision since the day before the latest case, and moves the
summaries by the difference between the cases it removed and those it made (counts add up, so the
result is a recount's, at the cost of the recent cases only). A case is a submission (its features recorded by
filings.services.risk) and the decision that ended it: a provider return, a bureau rejection, or
publication; submissions that ended otherwise (withdrawn, SMS window missed) decide nothing.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max

from filings.kinds.states import State
from filings.models import Filing, FilingEvent, RejectionReason, RiskCase, RiskSummary, SubmittedFeatures
from filings.rules import durations as duration_rules
from filings.rules import risk_model
from filings.services import bulk_rows

# The transitions (named by the state machine's own methods) that decide a submission, and the
# outcome each stands for.
SUBMIT = Filing.submit.__name__
DECISIONS = {
    Filing.return_to_entry.__name__: RiskCase.Outcome.RETURNED,
    Filing.reject.__name__: RiskCase.Outcome.REJECTED,
    Filing.approve.__name__: RiskCase.Outcome.ACCEPTED,
    Filing.finish_at_provider.__name__: RiskCase.Outcome.ACCEPTED,
}
STEPS = (SUBMIT, *DECISIONS)
CASE_COLUMNS = ("filing_id", "province_id", "filing_type", "decided_at", "outcome", "features", "reasons")
BATCH = 5000


@dataclass(frozen=True)
class RiskRefresh:
    cases: int
    slices: int
    seconds: float


def reason_key(reason: dict) -> str:
    """Return the key a stored reason is counted under: its catalogue code, else its text."""
    return (str(reason.get("code", "")).strip() or str(reason.get("reason", "")).strip())[:200]


def refresh_risk_summaries(*, full: bool = False) -> RiskRefresh:
    """Rebuild the cases decided since the day before the latest one and move the summaries by the
    difference (every case and the summaries from them when `full`, or the first time)."""
    started = time.monotonic()
    with transaction.atomic():
        latest = None if full else RiskCase.objects.aggregate(latest=Max("decided_at"))["latest"]
        if latest is None:
            cases = rebuild_cases(since=None)
            slices = rebuild_summaries()
        else:
            since = latest - timedelta(days=1)
            recent = RiskCase.objects.filter(decided_at__gte=since)
            removed = risk_model.tally(case_rows(recent))
            cases = rebuild_cases(since=since)
            added = risk_model.tally(case_rows(recent.all()))
            slices = adjust_summaries(removed=removed, added=added)
    return RiskRefresh(cases=cases, slices=slices, seconds=time.monotonic() - started)


def rebuild_cases(*, since: datetime | None) -> int:
    """Recreate the cases decided from `since` on (all when None); return how many were made."""
    steps = FilingEvent.objects.filter(transition__in=STEPS)
    if since is None:
        RiskCase.objects.all().delete()
    else:
        RiskCase.objects.filter(decided_at__gte=since).delete()
        # Decisions end in entry (sent back) or published: the (to_state, at) index finds them.
        decided = FilingEvent.objects.filter(
            to_state__in=[State.ENTRY, State.PUBLISHED], at__gte=since, transition__in=list(DECISIONS)
        ).values("filing_id")
        steps = steps.filter(filing_id__in=decided)
    rows = steps.order_by("filing_id", "at", "id").values_list(
        "filing_id", "filing__province_id", "filing__filing_type", "transition", "at", "reasons"
    )
    made = 0
    table = bulk_rows.Table(RiskCase, CASE_COLUMNS)
    for group in _filings_in_batches(rows.iterator(chunk_size=BATCH)):
        features = {
            (filing_id, round_): row_features
            for filing_id, round_, row_features in SubmittedFeatures.objects.filter(
                filing_id__in=[filing_id for filing_id, _steps in group]
            ).values_list("filing_id", "round", "features")
        }
        cases = [
            case
            for filing_id, filing_steps in group
            for case in _cases_of(filing_id, filing_steps, features)
            if since is None or case[3] >= since
        ]
        table.write(cases)
        made += len(cases)
    return made


def _filings_in_batches(rows: Iterator[tuple]) -> Iterator[list[tuple[int, list[tuple]]]]:
    """Group the ordered history rows by filing, and the filings in batches of BATCH."""
    batch: list[tuple[int, list[tuple]]] = []
    for row in rows:
        if not batch or batch[-1][0] != row[0]:
            if len(batch) >= BATCH:
                yield batch
                batch = []
            batch.append((row[0], []))
        batch[-1][1].append(row)
    if batch:
        yield batch


def _cases_of(filing_id: int, steps: list[tuple], features: dict) -> Iterator[tuple]:
    """Yield the filing's cases as rows of CASE_COLUMNS."""
    submitted = 0
    pending = None
    for _id, province_id, filing_type, transition, at, reasons in steps:
        if transition == SUBMIT:
            submitted += 1
            pending = features.get((filing_id, submitted))
            continue
        if pending is None:
            continue
        outcome = DECISIONS[transition]
        keys = (
            sorted({key for r in reasons or [] if isinstance(r, dict) and (key := reason_key(r))})
            if outcome != RiskCase.Outcome.ACCEPTED
            else []
        )
        yield (filing_id, province_id, filing_type, at, outcome, pending, keys)
        pending = None


def case_rows(cases) -> Iterator[tuple]:
    """Return the cases of a queryset as the model's tally reads them."""
    return cases.values_list("province_id", "filing_type", "outcome", "features", "reasons").iterator(
        chunk_size=BATCH
    )


def rebuild_summaries() -> int:
    """Recount the summaries from every case; return how many province and type slices they hold."""
    return write_summaries(risk_model.tally(case_rows(RiskCase.objects.all())))


def adjust_summaries(*, removed: dict, added: dict) -> int:
    """Take the counts of the cases that were rebuilt out of the summaries and put the new ones in
    (counts add up, so this equals a recount); return how many slices the summaries hold."""
    slices = stored_summaries()
    for sign, changes in ((-1, removed), (1, added)):
        for key, counts in changes.items():
            slices.setdefault(key, risk_model.SliceCounts()).merge(counts, sign)
    return write_summaries({key: counts for key, counts in slices.items() if counts.total.decisions})


def stored_summaries() -> dict[tuple, risk_model.SliceCounts]:
    """Return the summaries as counts, keyed by (province id or None for the country, filing type)."""
    slices: dict[tuple, risk_model.SliceCounts] = {}
    rows = RiskSummary.objects.values_list(
        "province_id", "filing_type", "feature", "value", "decisions", "returned", "rejected", "reasons"
    )
    for province_id, filing_type, feature, value, decisions, returned, rejected, reasons in rows:
        counts = risk_model.Counts(decisions, returned, rejected, dict(reasons))
        target = slices.setdefault((province_id, filing_type), risk_model.SliceCounts())
        if feature:
            target.by_value[(feature, value)] = counts
        else:
            target.total = counts
    return slices


def write_summaries(slices: dict[tuple, risk_model.SliceCounts]) -> int:
    """Replace the summaries by these counts, with the words of their reasons."""
    words = reason_words({key for counts in slices.values() for key in counts.total.reasons})
    RiskSummary.objects.all().delete()
    RiskSummary.objects.bulk_create(
        (
            RiskSummary(
                province_id=province_id,
                filing_type=filing_type,
                feature=feature,
                value=value,
                decisions=counts.decisions,
                returned=counts.returned,
                rejected=counts.rejected,
                reasons=counts.reasons,
                reason_words={key: words[key] for key in counts.reasons}
                if province_id and not feature
                else {},
            )
            for (province_id, filing_type), slice_counts in slices.items()
            for (feature, value), counts in [(("", ""), slice_counts.total), *slice_counts.by_value.items()]
        ),
        batch_size=BATCH,
    )
    return len(slices)


def reason_words(keys: set[str]) -> dict[str, dict]:
    """Return each reason key's words to show: the catalogue's reason and fix (as sources, with the
    current waiting times and terms), or a free-text reason's own text."""
    durations = duration_rules.rules()
    catalogue = {r.code: r for r in RejectionReason.objects.filter(code__in=keys)}
    words = {}
    for key in keys:
        entry = catalogue.get(key)
        if entry is None:
            words[key] = {"reason": key, "fix": ""}
            continue
        words[key] = {
            "reason": duration_rules.catalogue_words(entry.reason, durations).source,
            "fix": duration_rules.catalogue_words(entry.suggested_fix, durations).source,
        }
    return words
