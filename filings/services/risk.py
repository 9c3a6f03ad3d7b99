"""Writes of the rejection-risk estimate: a submission's features, kept for the summaries."""

from django.utils import timezone

from filings.models import Filing, FilingEvent, SubmittedFeatures
from filings.rules.checks import Checklist
from filings.rules.risk_features import filing_features


def record_submitted_features(
    loaded: Filing, checklist: Checklist, *, event: FilingEvent
) -> SubmittedFeatures:
    """Keep the features a filing had when it was submitted (the submit event's round), once."""
    features = filing_features(loaded, checklist, today=timezone.localdate(event.at))
    row, _created = SubmittedFeatures.objects.get_or_create(
        filing_id=loaded.pk,
        round=event.filing.round,
        defaults={"submitted_at": event.at, "features": features},
    )
    return row
