"""API tokens: hashed, expiring, shown once, revocable per token and per user; the admin lists digests."""

import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
LIST = "/api/v1/filings/"


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _new_token(username: str, password: str = "pass-1234", **body) -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", body, format="json", HTTP_AUTHORIZATION=_basic(username, password)
    )
    assert response.status_code == 200, response.content
    return response.json()


def current_code(user) -> str:
    from django_otp.oath import totp

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return f"{totp(device.bin_key):06d}"


def test_a_token_is_shown_once_and_stored_only_as_a_digest(principal):
    body = _new_token(principal.username)
    token = body["token"]
    stored = AuthToken.objects.get(user=principal)
    assert len(token) == 64
    assert token not in (stored.digest, stored.token_key) and token not in str(
        AuthToken.objects.values().get()
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(LIST).status_code == 200


def test_a_token_expires(principal):
    body = _new_token(principal.username)
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    assert timedelta(days=29) < expiry - timezone.now() <= timedelta(days=30)
    AuthToken.objects.filter(user=principal).update(expiry=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(LIST).status_code == 401


def test_tokens_are_revoked_one_by_one_or_all_of_a_users(principal, reviewer):
    first, second, third = (_new_token(principal.username)["token"] for _ in range(3))
    theirs = _new_token(reviewer.username, otp=current_code(reviewer))["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get(LIST).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get(LIST).status_code == 200
    assert client.post("/api/v1/auth/token/revoke-all/").status_code == 204
    for token, expected in ((second, 401), (third, 401), (theirs, 200)):
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get(LIST).status_code == expected


def test_a_wrong_password_gets_no_token_and_counts_towards_the_lockout(settings, principal):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = APIClient().post(
            "/api/v1/auth/token/", HTTP_AUTHORIZATION=_basic(principal.username, "wrong")
        )
        assert response.status_code in (401, 429)
    locked = APIClient().post(
        "/api/v1/auth/token/", HTTP_AUTHORIZATION=_basic(principal.username, "pass-1234")
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out" and "暂停" in locked.json()["detail"]
    assert not AuthToken.objects.exists()


def test_the_admin_shows_digests_and_an_admin_revokes_but_cannot_mint_tokens(principal):
    token = _new_token(principal.username)["token"]
    admin = factories.UserFactory(username="role-admin", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    listing = client.get(reverse("admin:knox_authtoken_changelist"))
    assert listing.status_code == 200
    assert token not in listing.content.decode() and token[:15] not in listing.content.decode()
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403
    stored = AuthToken.objects.get()
    response = client.post(reverse("admin:knox_authtoken_delete", args=[stored.pk]), {"post": "yes"})
    assert response.status_code == 302 and not AuthToken.objects.exists()


def test_staff_get_a_token_only_with_their_second_factor(reviewer):
    url = "/api/v1/auth/token/"
    auth = {"HTTP_AUTHORIZATION": _basic(reviewer.username, "pass-1234")}
    code = current_code(reviewer)
    assert APIClient().post(url, **auth).status_code == 403
    wrong = "000000" if code != "000000" else "111111"
    response = APIClient().post(url, {"otp": wrong}, format="json", **auth)
    assert response.status_code == 403 and "验证码" in response.json()["detail"]
    assert not AuthToken.objects.exists()
    # A wrong code makes the device wait before the next try (django-otp's throttling).
    assert APIClient().post(url, {"otp": code}, format="json", **auth).status_code == 403
    TOTPDevice.objects.get(user=reviewer).throttle_reset()
    assert APIClient().post(url, {"otp": code}, format="json", **auth).status_code == 200


def _works(token: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(LIST).status_code == 200


def test_changing_the_password_revokes_the_users_api_tokens(principal, other_principal):
    tokens = [_new_token(principal.username)["token"] for _ in range(2)]
    other = _new_token(other_principal.username)["token"]
    client = Client()
    client.force_login(principal)
    new_password = "Xinmima-2026-星河"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "pass-1234", "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=principal).exists()
    assert not any(_works(token) for token in tokens)
    assert _works(other)
    assert client.get("/filings/").status_code == 200  # this session goes on, as before
    assert _new_token(principal.username, new_password)["token"]


def test_a_refused_password_change_keeps_the_tokens(principal):
    token = _new_token(principal.username)["token"]
    client = Client()
    client.force_login(principal)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "Xinmima-2026", "new_password2": "Xinmima-2026"},
    )
    assert response.status_code == 200 and _works(token)


def test_a_password_reset_in_the_admin_revokes_the_users_api_tokens(reviewer):
    root = factories.UserFactory(username="root-t", role=Role.ADMIN)
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    token = _new_token(reviewer.username, otp=current_code(reviewer))["token"]
    assert _works(token)
    client = Client()
    client.force_login(root)
    url = reverse("admin:auth_user_password_change", args=[reviewer.pk])
    response = client.post(url, {"password1": "Chongzhi-2026-云帆", "password2": "Chongzhi-2026-云帆"})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=reviewer).exists() and not _works(token)


def test_becoming_staff_revokes_the_tokens_made_without_the_second_factor(principal):
    from django.contrib.auth.models import Group

    token = _new_token(principal.username)["token"]
    root = factories.UserFactory(username="root-u", role=Role.ADMIN)
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("admin:accounts_user_change", args=[principal.pk]),
        {
            "username": principal.username,
            "email": principal.email,
            "is_active": "on",
            "display_name": principal.display_name,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "groups": [Group.objects.get(name=Role.REVIEWER).pk],
        },
    )
    assert response.status_code == 302
    assert not _works(token) and not AuthToken.objects.filter(user=principal).exists()
