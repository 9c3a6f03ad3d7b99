"""Logging a browser in as a user: password, then the second factor that staff roles must give."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from accounts.models import User
from accounts.roles import is_staff_role


def log_in(page: Page, live_server, username: str, password: str = "pass-1234") -> None:
    """Log in through the login page; a staff user then types the code of a confirmed authenticator."""
    user = User.objects.get(username=username)
    device = None
    if is_staff_role(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
        # A code is accepted once per time step: a second login in the same 30 s may reuse it.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if device is not None:
        page.wait_for_url("**/accounts/2fa/**")
        page.get_by_label("验证码").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
