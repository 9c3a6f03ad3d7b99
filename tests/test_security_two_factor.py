"""Staff must give a second factor (TOTP or a backup code) before reaching staff pages or the admin."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

STAFF_PAGES = {
    "reviewer": ["/filings/review/", "/filings/review/queues/provider_review/"],
    "manager": ["/filings/dashboard/", "/filings/dashboard/open/"],
    "admin": ["/admin/", "/admin/accounts/user/"],
}


@pytest.fixture
def admin_member(db):
    return factories.UserFactory(username="admin-b", role=Role.ADMIN)


def _password_login(user) -> Client:
    """Log in with the password only, as the login page does (no second factor yet)."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "pass-1234"})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.mark.parametrize("role", ["reviewer", "manager", "admin"])
def test_a_staff_session_without_the_second_factor_reaches_no_staff_page(request, role):
    user = request.getfixturevalue({"admin": "admin_member"}.get(role, role))
    client = _password_login(user)
    for url in STAFF_PAGES[role]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:2fa-setup") + "?next=")
    api = client.get("/api/v1/filings/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"


def test_a_superuser_without_the_second_factor_cannot_use_the_admin(db):
    root = factories.UserFactory(username="root-b")
    root.is_superuser = root.is_staff = True
    root.save()
    TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    client = _password_login(root)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:2fa-verify"))


def test_a_principal_needs_no_second_factor(principal):
    client = _password_login(principal)
    assert client.get("/filings/").status_code == 200


def test_enrolment_by_qr_code_then_backup_codes(reviewer):
    client = _password_login(reviewer)
    page = client.get(reverse("accounts:2fa-setup") + "?next=/filings/review/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "<script" not in body.split("<main", 1)[1]
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert device.key and TOTPDevice.objects.get(pk=device.pk).config_url.startswith("otpauth://totp/")

    wrong = client.post(
        reverse("accounts:2fa-setup"), {"token": "000000" if _code(device) != "000000" else "1"}
    )
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post(reverse("accounts:2fa-setup"), {"token": _code(device), "next": "/filings/review/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)) == set(
        codes
    )
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/filings/review/queues/provider_review/").status_code == 200


def test_verification_with_a_code_or_a_backup_code_used_once(reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _password_login(reviewer)
    assert client.get("/filings/review/")["Location"].startswith(reverse("accounts:2fa-verify"))
    response = client.post(
        reverse("accounts:2fa-verify"), {"token": _code(device), "next": "/filings/review/"}
    )
    assert response.status_code == 302 and response["Location"] == "/filings/review/"
    assert client.get("/filings/review/queues/provider_review/").status_code == 200

    from accounts.two_factor import new_backup_codes

    code = new_backup_codes(reviewer)[0]
    for expected in (302, 400):
        other = _password_login(reviewer)
        assert other.post(reverse("accounts:2fa-verify"), {"token": code}).status_code == expected


def test_the_next_address_after_verification_stays_on_this_site(reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _password_login(reviewer)
    response = client.post(
        reverse("accounts:2fa-verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_new_backup_codes_need_a_verified_session(reviewer):
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _password_login(reviewer)
    response = client.post(reverse("accounts:2fa-backup-codes"))
    assert response.status_code == 302 and not StaticToken.objects.exists()
    verified = Client()
    verified.force_login(reviewer)  # the shared fixtures log staff in with a verified device
    assert (
        len(re.findall(r"<li><code>", verified.post(reverse("accounts:2fa-backup-codes")).content.decode()))
        == 10
    )


# Issue #23: the password alone must not replace the second factor.


@pytest.fixture
def root(db):
    user = factories.UserFactory(username="root-c")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Give the user a confirmed authenticator and backup codes, as a finished enrolment does."""
    from accounts.two_factor import new_backup_codes

    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True), new_backup_codes(user)


def _attacker_device(user) -> TOTPDevice:
    """An unconfirmed device whose secret the attacker knows (the setup page used to show one)."""
    return TOTPDevice.objects.create(user=user, name="attacker", confirmed=False)


@pytest.mark.parametrize("who", ["reviewer", "root"])
def test_the_password_alone_cannot_enrol_a_new_device(request, who):
    user = request.getfixturevalue(who)
    device, codes = _enrolled(user)
    client = _password_login(user)

    page = client.get(reverse("accounts:2fa-setup"), follow=True)
    assert page.redirect_chain[0][0].startswith(reverse("accounts:2fa-verify"))
    assert "已绑定手机验证器" in page.content.decode() and "超级用户" in page.content.decode()
    assert "secret" not in page.content.decode() and "<svg" not in page.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()

    attacker = _attacker_device(user)
    response = client.post(reverse("accounts:2fa-setup"), {"token": _code(attacker)})
    assert response.status_code in (302, 403)
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [device]
    assert not TOTPDevice.objects.get(pk=attacker.pk).confirmed
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(codes)
    # Still only half logged in: the admin and the API stay closed.
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:2fa-verify"))
    assert client.post("/api/v1/auth/token/").status_code == 403
    token = APIClient().post(
        "/api/v1/auth/token/", {"otp": _code(attacker)}, format="json", HTTP_AUTHORIZATION=_basic(user)
    )
    assert token.status_code == 403 and not AuthToken.objects.exists()


def test_the_enrolment_service_refuses_an_unverified_session(reviewer):
    from django.core.exceptions import PermissionDenied

    from accounts.two_factor import confirm_totp_device

    device, _codes = _enrolled(reviewer)
    attacker = _attacker_device(reviewer)
    with pytest.raises(PermissionDenied):
        confirm_totp_device(attacker, _code(attacker), session_verified=False)
    assert (
        TOTPDevice.objects.get(pk=device.pk).confirmed
        and not TOTPDevice.objects.get(pk=attacker.pk).confirmed
    )


def _basic(user) -> str:
    return "Basic " + base64.b64encode(f"{user.username}:pass-1234".encode()).decode()


def test_the_password_alone_gets_no_api_token(reviewer):
    _enrolled(reviewer)
    attacker = _attacker_device(reviewer)
    for body in ({}, {"otp": ""}, {"otp": _code(attacker)}, {"otp": "00000000"}):
        response = APIClient().post(
            "/api/v1/auth/token/", body, format="json", HTTP_AUTHORIZATION=_basic(reviewer)
        )
        assert response.status_code == 403, body
    assert not AuthToken.objects.exists()


def test_the_admin_site_itself_asks_staff_for_the_second_factor(settings, root):
    _enrolled(root)
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.two_factor.StaffSecondFactorMiddleware"
    ]
    client = _password_login(root)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_verified_session_replaces_its_device(reviewer):
    old, _codes = _enrolled(reviewer)
    client = Client()
    client.force_login(reviewer)
    assert client.get(reverse("accounts:2fa-setup")).status_code == 200
    new = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    response = client.post(reverse("accounts:2fa-setup"), {"token": _code(new)})
    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=reviewer, confirmed=True)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def _reset_action(client: Client, user):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [user.pk], "index": 0},
    )


def test_a_superuser_resets_a_lost_device_in_the_admin_and_it_is_recorded(root, reviewer):
    from django.contrib.admin.models import CHANGE, LogEntry

    _enrolled(reviewer)
    client = Client()
    client.force_login(root)
    assert _reset_action(client, reviewer).status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticToken.objects.filter(device__user=reviewer).exists()
    entry = LogEntry.objects.get(object_id=str(reviewer.pk), action_flag=CHANGE)
    assert entry.user == root and "重置两步验证" in entry.change_message
    # At the next login the reviewer enrols a new authenticator.
    assert _password_login(reviewer).get(reverse("accounts:2fa-setup")).status_code == 200


def test_only_a_superuser_may_reset_a_device(admin_member, reviewer):
    from django.contrib.admin.models import LogEntry
    from django.core.exceptions import PermissionDenied

    from accounts.two_factor import reset_second_factor

    device, _codes = _enrolled(reviewer)
    client = Client()
    client.force_login(admin_member)
    assert "reset_second_factor" not in client.get(reverse("admin:accounts_user_changelist")).content.decode()
    _reset_action(client, reviewer)
    with pytest.raises(PermissionDenied):
        reset_second_factor(reviewer, by=admin_member)
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert not LogEntry.objects.filter(object_id=str(reviewer.pk)).exists()
