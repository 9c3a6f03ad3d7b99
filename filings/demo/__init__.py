"""Demo data: the demo users, a handful of realistic filings in every stage made through the real
services, and a bulk mode that writes many filings with their history directly.

Bulk filings are shaped so that the rejection-risk estimate has something true to find: individual
subjects, sites that need prior approval without one, domains real-name verified days before
submission, principals who are not the legal representative and scans with warnings are returned
or rejected more often, each with its catalogue reason (filings/demo/risk_shape.py says by how
much); each submission's features are recorded as the submit service records them."""

from filings.demo.bulk import reshape_bulk_owners, seed_bulk, settle_after_bulk
from filings.demo.seed import DEMO_HISTORY_STATES, SeedReport, seed_demo

__all__ = [
    "DEMO_HISTORY_STATES",
    "SeedReport",
    "reshape_bulk_owners",
    "seed_bulk",
    "seed_demo",
    "settle_after_bulk",
]
