"""Two web nodes share nothing local (issue #24): two gunicorn servers with their own BEIAN_VAR_DIR on
one database and one Redis; a session, a lockout, a rate limit and the second factor started on one
hold on the other."""

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from tests import factories
from tests.multinode import page_text, start_nodes  # noqa: F401 - the nodes fixture

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_what_nodes_must_share_is_in_redis_or_the_database():
    """Sessions, throttles and lockouts are never kept in one process's memory when Redis is set."""
    assert settings.REDIS_URL
    assert settings.CACHES["default"]["BACKEND"] == "config.cache.ForgivingRedisCache"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == (
        "axes.handlers.database.AxesDatabaseHandler"
    )


def test_a_session_started_on_one_node_is_used_and_ended_on_the_other(start_nodes):  # noqa: F811
    principal = factories.principal_user(username="nodes-principal")
    filing = factories.ready_filing(assignee=principal)
    first, second = start_nodes(2)
    assert first.var_dir != second.var_dir

    browser = first.browser()
    assert first.login(browser, principal.username).status_code == 302
    page = second.get(browser, f"/filings/{filing.pk}/")
    assert page.status_code == 200, page.text[:500]
    assert filing.subject.name in page_text(page)

    assert second.post_form(browser, "/accounts/logout/", {}).status_code == 302
    after = first.get(browser, f"/filings/{filing.pk}/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/accounts/login/")


def test_failed_logins_on_one_node_lock_the_account_on_the_other(start_nodes):  # noqa: F811
    principal = factories.principal_user(username="nodes-locked")
    first, second = start_nodes(2, AXES_FAILURE_LIMIT="3")
    attacker = first.browser()
    assert first.login(attacker, principal.username, "wrong-1").status_code == 200
    assert second.login(attacker, principal.username, "wrong-2").status_code == 200
    assert first.login(attacker, principal.username, "wrong-3").status_code == 429
    # Now even the right password is refused, on either node, from another browser too.
    owner = second.browser()
    refused = second.login(owner, principal.username)
    assert refused.status_code == 429
    assert "登录" in page_text(refused)
    assert first.login(first.browser(), principal.username).status_code == 429


def test_the_api_rate_limit_counts_requests_on_both_nodes_together(start_nodes):  # noqa: F811
    principal = factories.principal_user(username="nodes-throttled")
    _row, token = AuthToken.objects.create(principal)
    first, second = start_nodes(2, API_THROTTLE_USER_RATE="4/minute")
    api = first.browser()
    api.headers["Authorization"] = f"Token {token}"
    statuses = [node.get(api, "/api/v1/filings/").status_code for node in (first, second, first, second)]
    assert statuses == [200, 200, 200, 200]
    # The fifth request of the minute is refused whichever node it reaches.
    assert second.get(api, "/api/v1/filings/").status_code == 429
    assert first.get(api, "/api/v1/filings/").status_code == 429


QUEUE = "/filings/review/queues/provider_review/"


def test_the_second_factor_given_on_one_node_holds_on_the_other_and_a_code_is_used_once(start_nodes):  # noqa: F811
    reviewer = factories.reviewer_user(username="nodes-reviewer")
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    first, second = start_nodes(2)

    browser = first.browser()
    assert first.login(browser, reviewer.username).status_code == 302
    # The password alone reaches no staff page, on either node.
    asked = second.get(browser, QUEUE)
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/accounts/2fa/verify/")

    code = f"{totp(device.bin_key):06d}"
    verified = second.post_form(browser, "/accounts/2fa/verify/", {"token": code})
    assert verified.status_code == 302, page_text(verified)[:500]
    assert first.get(browser, QUEUE).status_code == 200

    # The same code, replayed in another session through the other node, is refused.
    thief = first.browser()
    assert first.login(thief, reviewer.username).status_code == 302
    replayed = first.post_form(thief, "/accounts/2fa/verify/", {"token": code})
    assert replayed.status_code == 400
    assert first.get(thief, QUEUE).status_code == 302
