"""Brute force: logins lock by account and by address, say so in Chinese, and an admin unlocks; the
API is throttled."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _attempt(client: Client, url: str, username: str, password: str, address: str = "198.51.100.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(settings, url):
    user = factories.UserFactory(username="target", role=Role.ADMIN)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, url, "target", "wrong").status_code == 200
    locked = _attempt(client, url, "target", "wrong")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "登录已暂停" in body and "30 分钟后" in body and "联系管理员解锁" in body
    # The right password from another address no longer works while the account is locked.
    response = _attempt(client, url, "target", "pass-1234", address="203.0.113.50")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert user.pk


def test_many_accounts_tried_from_one_address_lock_the_address(settings):
    factories.UserFactory(username="victim")
    client = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, LOGIN, f"guess{index}", "wrong", address="198.51.100.9")
    assert _attempt(client, LOGIN, "victim", "pass-1234", address="198.51.100.9").status_code == 429
    # Someone else, elsewhere, logs in as usual.
    assert _attempt(Client(), LOGIN, "victim", "pass-1234", address="203.0.113.60").status_code == 302


def test_the_lockout_page_speaks_english_on_request(settings):
    factories.UserFactory(username="target")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _attempt(client, LOGIN, "target", "wrong")
    assert response.status_code == 429
    assert "locked for now" in response.content.decode() and "30 minutes" in response.content.decode()


def test_a_success_before_the_limit_starts_the_count_again(settings):
    factories.UserFactory(username="forgetful")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, LOGIN, "forgetful", "wrong")
    assert _attempt(client, LOGIN, "forgetful", "pass-1234").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, LOGIN, "forgetful", "wrong").status_code == 200


def test_an_admin_unlocks_an_account(settings):
    factories.UserFactory(username="target")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, LOGIN, "target", "wrong")
    assert _attempt(client, LOGIN, "target", "pass-1234").status_code == 429
    admin = factories.UserFactory(username="role-admin", role=Role.ADMIN)
    staff = Client()
    staff.force_login(admin)
    listing = staff.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "target" in listing.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _attempt(Client(), LOGIN, "target", "pass-1234").status_code == 302


def test_the_api_is_throttled_per_address_and_per_user(monkeypatch, principal):
    assert [AnonRateThrottle, UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES
    from config.settings import base

    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "60/minute", "user": "1200/minute"}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    # DRF throttles after authentication: anonymous callers are throttled where they are let in.
    anonymous = APIClient()
    codes = [anonymous.get("/api/schema/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    signed_in = APIClient()
    signed_in.force_authenticate(principal)
    codes = [signed_in.get("/api/v1/provinces/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert "Retry-After" in signed_in.get("/api/v1/provinces/")
