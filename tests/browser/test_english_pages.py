"""Every page a principal, a reviewer and a manager walk says nothing in Chinese when the reader chose
English, except what users typed in (the filings' own data, names, comments and reasons, and elements
marked data-user-data), ICP and public-security numbers, and the language menu, which names each
language in its own words. Screenshots go to var/screenshots/."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import CharField, TextField
from playwright.sync_api import Page, expect

from accounts.models import User
from filings.models import App, Domain, FilingEvent, Person, Subject, Website
from tests.browser.login import log_in
from tests.browser.walk import build_walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# Han characters outside the data: text nodes, the attributes read aloud or shown on hover, and the
# title, once every value users typed in and every ICP or public-security number is taken out. An
# element with a lang other than English (the menu's 简体中文) says its own language.
HAN_OUTSIDE_DATA = r"""(data) => {
  const han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  const numbers = /[\u4e00-\u9fff](ICP备|ICP证|公网安备)[0-9]*号?(-[0-9]+[AXK]?)?/g;
  const strip = (text) => data.reduce((rest, value) => rest.split(value).join(""), text).replace(numbers, "");
  const exempt = (el) => !el || el.closest("[data-user-data], script, style, [lang]:not([lang|='en'])");
  const found = [];
  if (han.test(strip(document.title))) found.push("<title> " + document.title);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (han.test(strip(node.nodeValue)) && !exempt(node.parentElement)) {
      found.push(node.parentElement.tagName.toLowerCase() + ": " + node.nodeValue.trim().slice(0, 400));
    }
  }
  for (const el of document.body.querySelectorAll("[title], [aria-label], [placeholder], [alt], input[type=submit][value]")) {
    for (const name of ["title", "aria-label", "placeholder", "alt", "value"]) {
      const value = el.getAttribute(name);
      if (value && han.test(strip(value)) && !exempt(el)) found.push(`${el.tagName.toLowerCase()}[${name}]: ${value.slice(0, 80)}`);
    }
  }
  return found;
}"""
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def typed_in() -> list[str]:
    """Every Chinese value users typed in: the filings' own rows, people's names, comments, reasons."""
    values: set[str] = set()
    for model in (Subject, Person, Website, Domain, App):
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, (CharField, TextField))]
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if isinstance(v, str))
    values.update(User.objects.values_list("display_name", flat=True))
    for comment, reasons in FilingEvent.objects.values_list("comment", "reasons"):
        values.add(comment)
        for reason in reasons or []:
            if isinstance(reason, dict):
                values.update(v for v in reason.values() if isinstance(v, str))
    # Longest first, so that a name inside a longer value does not leave the rest of it behind.
    return sorted((v for v in values if HAN.search(v)), key=len, reverse=True)


def chinese_outside_data(page: Page, base_url: str, path: str, data: list[str]) -> list[str]:
    page.goto(base_url + path)
    page.wait_for_load_state()
    return [f"{path} | {line}" for line in page.evaluate(HAN_OUTSIDE_DATA, data)]


def to_english(page: Page) -> None:
    menu = page.locator("#lang-select")
    assert menu.locator("option").all_inner_texts() == ["简体中文", "English"]
    menu.select_option("en")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert menu.locator("option").all_inner_texts() == ["简体中文", "English"]


def test_principal_reviewer_and_manager_pages_in_english_say_nothing_in_chinese(page: Page, live_server):
    walk = build_walk("en")
    page.set_viewport_size({"width": 1280, "height": 900})
    data = typed_in()
    found: list[str] = []
    for user, paths in [
        (walk.principal, walk.principal_pages()),
        (walk.reviewer, walk.reviewer_pages()),
        (walk.manager, walk.manager_pages()),
    ]:
        log_in(page, live_server, user.username)
        to_english(page)
        for path in paths:
            found += chinese_outside_data(page, live_server.url, path, data)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"english-{user.username}.png"), full_page=True)
    assert found == [], "\n".join(found)
