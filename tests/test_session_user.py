"""The session's user arrives with their permissions and devices in one statement
(accounts.backends.UserBackend), and nothing of it outlives the request: a permission, a group or a
device taken away counts at the next request, and every check is still made."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

BARE_STAFF_PAGE = "/filings/review/queues/provider_review/"


def _statements(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # The session is read from Redis or, when its copy there is missing, from the database.
    return response.status_code, [
        q["sql"] for q in captured.captured_queries if 'FROM "django_session"' not in q["sql"]
    ]


def _verified_client(user, device) -> Client:
    client = Client()
    client.login(username=user.username, password="pass-1234")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _user_reads(sql: list[str]) -> list[str]:
    """Return the statements that read a whole user, permissions or second-factor devices."""
    marks = ("password", "auth_permission", "otp_totp_totpdevice", "otp_static_staticdevice")
    return [s for s in sql if any(mark in s for mark in marks)]


def test_a_staff_page_reads_the_user_their_permissions_and_devices_in_one_statement(reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _verified_client(reviewer, device)
    status, sql = _statements(client, BARE_STAFF_PAGE)
    assert status == 200
    assert len(_user_reads(sql)) == 1, _user_reads(sql)
    # The rows, the provinces, the medians, the tab counts and the unread alerts besides it.
    assert len(sql) <= 6, sql


def test_the_permissions_read_with_the_user_match_djangos_and_answer_every_check(reviewer):
    from accounts.backends import UserBackend

    reviewer.user_permissions.add(Permission.objects.get(codename="manage_reference_data"))
    extra = Group.objects.create(name="session-extra")
    extra.permissions.add(Permission.objects.get(codename="view_dashboard"))
    reviewer.groups.add(extra)

    with CaptureQueriesContext(connection) as captured:
        user = UserBackend().get_user(reviewer.pk)
        assert user.has_perm("accounts.review_filings") and user.has_perm("accounts.view_dashboard")
        assert user.has_perm("accounts.manage_reference_data")
        assert not user.has_perm("accounts.work_on_own_filings")
        assert user.is_reviewer and user.is_manager and not user.has_module_perms("filings")
    assert len(captured.captured_queries) == 1
    assert user.get_all_permissions() == ModelBackend().get_all_permissions(User.objects.get(pk=reviewer.pk))

    superuser = User.objects.create_superuser("session-super", "s@example.com", "x" * 12)
    loaded = UserBackend().get_user(superuser.pk)
    assert loaded.has_perm("accounts.work_on_own_filings") and loaded.has_perm("filings.delete_filing")
    assert UserBackend().get_user(10**9) is None
    User.objects.filter(pk=reviewer.pk).update(is_active=False)
    assert UserBackend().get_user(reviewer.pk) is None


def test_a_permission_taken_from_the_role_counts_at_the_next_request(reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _verified_client(reviewer, device)
    assert client.get(BARE_STAFF_PAGE).status_code == 200
    Group.objects.get(name=Role.REVIEWER).permissions.remove(
        Permission.objects.get(codename="review_filings")
    )
    assert client.get(BARE_STAFF_PAGE).status_code == 403
    # Without any staff permission left, a principal-like user needs no second factor and still
    # reaches no queue.
    Group.objects.get(name=Role.REVIEWER).permissions.clear()
    assert client.get(BARE_STAFF_PAGE).status_code == 403


def test_a_user_without_the_reviewer_role_is_refused_the_queues(principal, manager):
    principal_client = Client()
    principal_client.force_login(principal)
    assert principal_client.get(BARE_STAFF_PAGE).status_code == 403
    manager_client = Client()
    manager_client.force_login(manager)
    assert manager_client.get(BARE_STAFF_PAGE).status_code == 403


@pytest.mark.parametrize("change", ["deleted", "unconfirmed", "another_users", "never_verified"])
def test_a_staff_session_whose_device_is_gone_is_sent_to_the_second_factor(reviewer, change):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _verified_client(reviewer, device)
    assert client.get(BARE_STAFF_PAGE).status_code == 200
    if change == "deleted":
        device.delete()
        TOTPDevice.objects.create(user=reviewer, name="new phone", confirmed=True)
    elif change == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    elif change == "another_users":
        other = factories.reviewer_user(username="reviewer-other")
        TOTPDevice.objects.filter(pk=device.pk).update(user=other)
        TOTPDevice.objects.create(user=reviewer, name="new phone", confirmed=True)
    else:
        session = client.session
        del session[DEVICE_ID_SESSION_KEY]
        session.save()
    response = client.get(BARE_STAFF_PAGE)
    # A user left without a confirmed device enrols one; the others give their device's code.
    expected = "accounts:2fa-setup" if change == "unconfirmed" else "accounts:2fa-verify"
    assert response.status_code == 302 and response["Location"].startswith(reverse(expected))
    # The session forgets a device that no longer verifies it, as django-otp's middleware does.
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_backup_code_device_verifies_the_session_and_is_the_device_the_request_names(reviewer, rf):
    from django.contrib.sessions.backends.cache import SessionStore

    from accounts.backends import UserBackend
    from accounts.two_factor import SessionDeviceMiddleware

    backup = StaticDevice.objects.create(user=reviewer, name="backup", confirmed=True)
    client = _verified_client(reviewer, backup)
    assert client.get(BARE_STAFF_PAGE).status_code == 200

    request = rf.get("/")
    request.session = SessionStore()
    request.session[DEVICE_ID_SESSION_KEY] = backup.persistent_id
    request.user = UserBackend().get_user(reviewer.pk)
    SessionDeviceMiddleware(lambda r: None)(request)
    assert request.user.is_verified()
    assert request.user.otp_device.persistent_id == backup.persistent_id
    assert request.user.otp_device.user_id == reviewer.pk
