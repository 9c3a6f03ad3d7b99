"""The footer check of a published website: does its home page show its ICP number, linked to the
MIIT's register, and its public-security number?

`fetch` reads the page safely (public addresses only, bounded redirects, time and size), `parse`
finds the visible text, links and numbers in it, and `verdict` runs the check and words its problems.
"""

from filings.rules.footer.fetch import USER_AGENT
from filings.rules.footer.parse import MIIT_URL
from filings.rules.footer.verdict import FooterResult, check_footer

__all__ = ["MIIT_URL", "USER_AGENT", "FooterResult", "check_footer"]
