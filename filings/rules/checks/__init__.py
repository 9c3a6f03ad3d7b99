"""Pre-submission rules: every check a filing must pass before it goes to the provider, each with a
readable reason and the field to fix. The modules hold the rules by concern; these are the names
most callers use."""

from filings.rules.checks.materials import required_materials
from filings.rules.checks.result import FAIL, PASS, WARNING, Checklist
from filings.rules.checks.run import load_filing_for_checks, run_submission_checks

__all__ = [
    "FAIL",
    "PASS",
    "WARNING",
    "Checklist",
    "load_filing_for_checks",
    "required_materials",
    "run_submission_checks",
]
