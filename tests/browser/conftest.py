"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import importlib

import pytest
from django.apps import apps

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run browser tests last: pytest groups tests by Playwright's session-wide browser parameter,
    which would otherwise pull these transactional tests (their database flush included) in among
    the ordinary database tests."""
    items[:] = [i for i in items if "browser" not in i.keywords] + [
        i for i in items if "browser" in i.keywords
    ]


@pytest.fixture(scope="package", autouse=True)
def allow_database_calls_beside_playwright():
    """Playwright's sync API runs an event loop in this thread, where Django refuses database calls.
    Allowed only while this package's tests run, so no other test (or subprocess) inherits it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Reload what migrations put in the database: a transactional test before this one flushed it."""
    importlib.import_module("accounts.migrations.0002_role_groups").create_role_groups(apps, None)
    importlib.import_module("filings.migrations.0002_reference_data").load(apps, None)
    importlib.import_module(
        "filings.migrations.0023_province_abbreviations_and_documents"
    ).abbreviations_and_limits(apps, None)
    importlib.import_module("filings.migrations.0024_later_allowed_tlds").load_later_allowed_tlds(apps, None)
    importlib.import_module("filings.migrations.0027_mini_program_platforms").load_platforms(apps, None)
