"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import importlib
import os

import pytest
from django.apps import apps

# Playwright's sync API runs an event loop in this thread; Django would refuse database calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
