"""Test helper: a session verified with a TOTP device, as after typing the authenticator's code."""

from django.test import Client


def verify_second_factor(client: Client, user) -> None:
    """Mark the client's session as verified with the user's TOTP device, as logging in with a code does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
