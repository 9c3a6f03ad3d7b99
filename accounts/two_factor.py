"""The second factor for staff (django-otp): TOTP devices enrolled by QR code, one-time backup codes,
and the middleware that keeps a staff session without a verified device out of everything else."""

import segno
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp.middleware import OTPMiddleware
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


def may_enrol(user, *, session_verified: bool) -> bool:
    """Return whether the user may bind a new authenticator now: on first enrolment, or from a
    session that has already given the second factor (the password alone must not replace it)."""
    return session_verified or not user_has_device(user, confirmed=True)


def enrolment_refused_message() -> str:
    return _(
        "您已绑定手机验证器。更换验证器须先用现有验证器的验证码或备用码完成验证;"
        "验证器和备用码都已丢失时,请联系超级用户在管理后台重置两步验证。"
    )


def pending_totp_device(user) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, made on first use, to show as a QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("手机验证器"), confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """Return the enrolment URL of the device as an inline SVG QR code (no script, no style)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def confirm_totp_device(device: TOTPDevice, token: str, *, session_verified: bool) -> bool:
    """Confirm the device when the code matches; its earlier devices are replaced.

    Raise PermissionDenied when the user already has a device and this session has not given it."""
    with transaction.atomic():
        # Two sessions of one user confirming at once must not both pass the check below.
        get_user_model().objects.select_for_update().filter(pk=device.user_id).first()
        if not may_enrol(device.user, session_verified=session_verified):
            raise PermissionDenied(enrolment_refused_message())
        if not device.verify_token(token):
            return False
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


def reset_second_factor(user, *, by) -> int:
    """Delete every authenticator and backup code of a user who lost them, so that they enrol anew
    at their next login; only a superuser may, and the admin's history records who did it."""
    if not by.is_superuser:
        raise PermissionDenied(_("只有超级用户可以重置两步验证。"))
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        removed = len(devices)
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=_("重置两步验证:删除了 %(n)s 个验证设备(含备用码)。") % {"n": removed},
            single_object=True,
        )
    return removed


def match_second_factor(user, token: str):
    """Return the confirmed device (TOTP or backup code) the token matches, or None."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


class SessionDeviceMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.otp_device, is_verified()), checking the session's device
    against the confirmed devices the user's own statement named (accounts.backends.UserBackend)
    instead of reading the device again: verified only while that device exists, belongs to the
    user and is confirmed, as django-otp requires. The device itself is read only if asked for."""

    def _verify_user_sync(self, request, user):
        confirmed = getattr(user, "otp_device_ids", None)
        if confirmed is None:
            # Loaded some other way (an anonymous visitor, SQLite): django-otp reads the device.
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id:
            persistent_id = self._normalize_persistent_id(persistent_id)
            if persistent_id in confirmed:
                user.otp_device = SimpleLazyObject(lambda: self._device_from_persistent_id(persistent_id))
            else:
                del request.session[DEVICE_ID_SESSION_KEY]
        return user


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
