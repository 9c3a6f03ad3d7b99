"""Staff must give a second factor (TOTP or a backup code) before reaching staff pages or the admin."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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
