"""Brute force: logins lock by account and by address, say so in Chinese, and an admin unlocks; the
API is throttled."""

import runpy

import pytest
from axes import helpers
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from accounts.roles import Role
from tests import factories
from tests.test_production import PRODUCTION_ENV

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


# Issue #23: behind nginx (and the load balancer before it) every request reaches the app from
# nginx's address; the client's is the one the load balancer wrote into X-Forwarded-For.
NGINX = "172.18.0.5"
BALANCER = "10.0.0.2"


@pytest.fixture
def behind_the_proxy(settings, monkeypatch):
    """Apply config.settings.production's client-address settings (read from the module itself)."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    production = runpy.run_module("config.settings.production")
    for name in ("AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_ORDER", "AXES_IPWARE_PROXY_COUNT"):
        setattr(settings, name, production.get(name, getattr(settings, name)))
    for name in ("IPWARE_STRICT", "IPWARE_META_PROXY_COUNT", "IPWARE_META_PRECEDENCE_ORDER"):
        if name in production:
            setattr(settings, name, production[name])
    return settings


def _through_proxy(username: str, password: str, client_address: str, *, spoofed: str = ""):
    forwarded = ", ".join(filter(None, [spoofed, client_address, BALANCER]))
    return Client().post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_axes_reads_the_client_address_with_the_library_it_documents():
    assert helpers.IPWARE_INSTALLED


def test_behind_the_proxy_failures_lock_the_client_and_the_account_not_everyone(behind_the_proxy):
    assert behind_the_proxy.AXES_IPWARE_PROXY_COUNT == 1
    factories.UserFactory(username="target")
    factories.UserFactory(username="bystander")
    for _ in range(behind_the_proxy.AXES_FAILURE_LIMIT - 1):
        assert _through_proxy("target", "wrong", "198.51.100.7").status_code == 200
    assert _through_proxy("target", "wrong", "198.51.100.7").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    # The client is locked, whichever account it tries; the account is locked from anywhere.
    assert _through_proxy("bystander", "pass-1234", "198.51.100.7").status_code == 429
    assert _through_proxy("target", "pass-1234", "203.0.113.50").status_code == 429
    # Another client logs in as usual through the same nginx.
    assert _through_proxy("bystander", "pass-1234", "203.0.113.50").status_code == 302


def test_a_spoofed_forwarded_entry_does_not_dodge_the_lock(behind_the_proxy):
    factories.UserFactory(username="victim")
    for index in range(behind_the_proxy.AXES_FAILURE_LIMIT):
        _through_proxy(f"guess{index}", "wrong", "198.51.100.9", spoofed=f"192.0.2.{index + 1}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}
    assert _through_proxy("victim", "pass-1234", "198.51.100.9").status_code == 429
    assert _through_proxy("victim", "pass-1234", "198.51.100.9", spoofed="8.8.8.8").status_code == 429
    assert _through_proxy("victim", "pass-1234", "203.0.113.60", spoofed="198.51.100.9").status_code == 302
