"""Shared fixtures: users for each role, a ready filing, API clients, and database-kind guards."""

import os

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from filings.rules import workdays
from tests import factories
from tests.s3 import LOCAL_BACKEND, s3_server
from tests.two_factor import verify_second_factor

pytest_plugins = ["tests.cache_keys"]


def pytest_collection_modifyitems(config, items):
    postgres = settings.DATABASE_IS_POSTGRES
    redis = bool(settings.REDIS_URL)
    if os.environ.get("BEIAN_REQUIRE_SERVICES") and not (postgres and redis):
        # CI must run every test: a missing service is an error there, not a reason to skip.
        raise pytest.UsageError(
            "BEIAN_REQUIRE_SERVICES is set but DATABASE_URL/REDIS_URL do not point at PostgreSQL/Redis"
        )
    for item in items:
        if "postgres" in item.keywords and not postgres:
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (make test does in CI)")
            )
        if "redis" in item.keywords and not redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL (make test does in CI)"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def object_store():
    """An S3-compatible server (moto) on 127.0.0.1 with a bucket of this run's own."""
    with s3_server() as store:
        yield store


@pytest.fixture(params=["local", "s3"])
def file_storage(request, settings):
    """Run the test once on local files and once on the S3 bucket: the ObjectStore, or None for local.

    A module opts in with `pytestmark = pytest.mark.usefixtures("file_storage")`."""
    if request.param == "local":
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": LOCAL_BACKEND}}
        return None
    store = request.getfixturevalue("object_store")
    settings.STORAGES = store.storages()
    return store


@pytest.fixture(autouse=True)
def _staff_log_in_with_a_verified_device(monkeypatch):
    """Staff must give a second factor (issue #14): a test's force_login does so for them, as if they
    had typed their authenticator's code. Tests of the second factor itself use Client.login."""
    from accounts.roles import is_staff_role

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if is_staff_role(user):
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def principal(db):
    return factories.principal_user(username="principal-a")


@pytest.fixture
def other_principal(db):
    return factories.principal_user(username="principal-b")


@pytest.fixture
def reviewer(db):
    return factories.reviewer_user(username="reviewer-a")


@pytest.fixture
def manager(db):
    return factories.manager_user(username="manager-a")


@pytest.fixture
def filing(principal):
    return factories.ready_filing(assignee=principal)


@pytest.fixture
def published(principal, reviewer):
    return factories.published_filing(assignee=principal, reviewer=reviewer)


@pytest.fixture
def client_for():
    """Return a function that gives a browser client logged in as a user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def fresh_calendar_cache():
    """Forget the per-process copy of the admin's calendar around a test: its calendar rows are
    rolled back afterwards, but the copy would keep them."""
    workdays.forget_overrides()
    yield
    workdays.forget_overrides()


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves a request's language active in the thread afterwards: without this, a
    # test that requested a page in English made later tests' texts English (order-dependent).
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
