"""The second factor for staff (django-otp): TOTP devices enrolled by QR code, one-time backup codes,
and the middleware that keeps a staff session without a verified device out of everything else."""

import segno
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import is_staff_role

BACKUP_CODE_COUNT = 10
# What a staff member who has not yet given the second factor may still reach.
OPEN_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/accounts/login/", "/static/", "/i18n/", "/healthz")
# The API answers in JSON; every other address, the API's docs and schema pages included, is a page.
API_PATHS = ("/api/v1/",)


def needs_second_factor(user) -> bool:
    """Return whether the user must give a second factor before doing anything else."""
    return is_staff_role(user) and not user.is_verified()


def pending_totp_device(user) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, made on first use, to show as a QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("手机验证器"), confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """Return the enrolment URL of the device as an inline SVG QR code (no script, no style)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def confirm_totp_device(device: TOTPDevice, token: str) -> bool:
    """Confirm the device when the code matches; its earlier devices are replaced."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with new ones and return them (they are shown once)."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "backup"})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def match_second_factor(user, token: str):
    """Return the confirmed device (TOTP or backup code) the token matches, or None."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


class StaffSecondFactorMiddleware:
    """Send a staff member whose session has no verified device to enrol or verify first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not needs_second_factor(user) or request.path.startswith(OPEN_PATHS):
            return self.get_response(request)
        if request.path.startswith(API_PATHS):
            message = _("初审员、管理者和管理员须先完成两步验证。")
            return JsonResponse({"detail": message, "code": "second_factor_required"}, status=403)
        name = "accounts:2fa-verify" if user_has_device(user) else "accounts:2fa-setup"
        return redirect(f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
