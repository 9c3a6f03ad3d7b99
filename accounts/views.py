"""Pages of the second factor: enrolment by QR code, verification, backup codes."""

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import two_factor


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or "/"
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if safe else "/"


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Show a QR code for an authenticator app and confirm it with the first code it shows.

    A user who already has a device binds a new one only after giving the current one's code."""
    verified = request.user.is_verified()
    if not two_factor.may_enrol(request.user, session_verified=verified):
        messages.error(request, two_factor.enrolment_refused_message())
        return redirect(
            f"{reverse('accounts:2fa-verify')}?{urlencode({REDIRECT_FIELD_NAME: _next(request)})}"
        )
    device = two_factor.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        token = form.cleaned_data["token"] if form.is_valid() else ""
        if token and two_factor.confirm_totp_device(device, token, session_verified=verified):
            django_otp.login(request, device)
            codes = two_factor.new_backup_codes(request.user)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("token", _("验证码不正确,请核对手机上显示的 6 位数字后重试。"))
        status = 400
    context = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(device),
        "secret": device.config_url.split("secret=", 1)[1].split("&", 1)[0],
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Ask for the authenticator's current code, or a backup code."""
    if not django_otp.user_has_device(request.user):
        return redirect("accounts:2fa-setup")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        device = form.is_valid() and two_factor.match_second_factor(request.user, form.cleaned_data["token"])
        if device:
            django_otp.login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("验证码不正确或已用过,请重试;多次出错后需稍等片刻。"))
        status = 400
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)}, status=status
    )


@login_required
@require_POST
def backup_codes(request):
    """Replace the backup codes with new ones, shown once (needs a verified session)."""
    if not request.user.is_verified():
        return redirect("accounts:2fa-verify")
    codes = two_factor.new_backup_codes(request.user)
    messages.success(request, _("已生成新的备用码,旧的备用码已失效。"))
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": "/"})
