"""Accessibility checks in the browser: axe-core (vendored from its npm package, never a CDN)."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Failures at these levels block a screen-reader or keyboard user; axe's "minor" and "moderate"
# ones are listed in its report but do not fail a page, except the rules named below.
BLOCKING_IMPACTS = ("serious", "critical")
ALSO_BLOCKING_RULES = ("empty-table-header", "aria-allowed-role", "scrollable-region-focusable", "list")

RUN_AXE = """async ([impacts, rules]) => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter(v => impacts.includes(v.impact) || rules.includes(v.id))
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 5).map(n => n.target.join(" ")).join(" | ")}`);
}"""


def axe_violations(page: Page) -> list[str]:
    """Return the blocking axe violations of the page as it is now, one line per rule."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern: the pages keep refusing inline script.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return [f"{page.url}: {line}" for line in page.evaluate(RUN_AXE, [BLOCKING_IMPACTS, ALSO_BLOCKING_RULES])]
