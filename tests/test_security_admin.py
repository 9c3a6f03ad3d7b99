"""Role escalation through the admin: only a superuser may grant superuser rights or a staff role."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from tests import factories


@pytest.fixture
def role_admin(db):
    """A member of the admin role who is not a superuser."""
    return factories.UserFactory(username="role-admin", role=Role.ADMIN)


@pytest.fixture
def superuser(db):
    user = factories.UserFactory(username="root-a", role=Role.ADMIN)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change_data(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "display_name": user.display_name,
        "mobile": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "groups": [g.pk for g in user.groups.all()],
    }
    data.update(overrides)
    return data


def _change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_an_admin_cannot_make_themself_superuser(role_admin):
    client = _client(role_admin)
    page = client.get(_change_url(role_admin))
    # Their own record belongs to a staff role: it opens read-only.
    assert page.status_code == 200 and 'name="is_superuser"' not in page.content.decode()
    client.post(_change_url(role_admin), _change_data(role_admin, is_superuser="on", is_staff="on"))
    role_admin.refresh_from_db()
    assert not role_admin.is_superuser


def test_an_admin_cannot_give_a_principal_a_staff_role_or_superuser_rights(role_admin, principal):
    client = _client(role_admin)
    page = client.get(_change_url(principal)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    reviewer_group = Group.objects.get(name=Role.REVIEWER)
    assert f'value="{reviewer_group.pk}"' not in page
    permission = Permission.objects.get(codename="review_filings")
    response = client.post(
        _change_url(principal),
        _change_data(
            principal,
            groups=[reviewer_group.pk, Group.objects.get(name=Role.PRINCIPAL).pk],
            is_superuser="on",
            is_staff="on",
            user_permissions=[permission.pk],
        ),
    )
    assert response.status_code == 200  # the form is shown again: the staff role is not a choice
    principal.refresh_from_db()
    assert not principal.is_superuser and not principal.is_staff
    assert list(principal.groups.values_list("name", flat=True)) == [Role.PRINCIPAL]
    assert not principal.user_permissions.exists()


def test_an_admin_may_still_edit_a_principal(role_admin, principal):
    response = _client(role_admin).post(_change_url(principal), _change_data(principal, display_name="王五"))
    assert response.status_code == 302
    principal.refresh_from_db()
    assert principal.display_name == "王五"
    assert list(principal.groups.values_list("name", flat=True)) == [Role.PRINCIPAL]


def test_an_admin_cannot_take_over_a_superuser_or_a_reviewer(role_admin, superuser, reviewer):
    client = _client(role_admin)
    for target in (superuser, reviewer):
        url = reverse("admin:auth_user_password_change", args=[target.pk])
        response = client.post(url, {"password1": "Takeover-12345", "password2": "Takeover-12345"})
        assert response.status_code == 403
        target.refresh_from_db()
        assert not target.check_password("Takeover-12345")
        client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})
        assert User.objects.filter(pk=target.pk).exists()


def test_an_admin_cannot_change_what_a_role_may_do(role_admin):
    group = Group.objects.get(name=Role.PRINCIPAL)
    client = _client(role_admin)
    everything = list(Permission.objects.values_list("pk", flat=True))
    client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": group.name, "permissions": everything}
    )
    assert group.permissions.count() < len(everything)
    assert client.get(reverse("admin:auth_group_add")).status_code == 403


def test_a_superuser_grants_staff_roles_and_superuser_rights(superuser, principal):
    reviewer_group = Group.objects.get(name=Role.REVIEWER)
    response = _client(superuser).post(
        _change_url(principal), _change_data(principal, groups=[reviewer_group.pk], is_superuser="on")
    )
    assert response.status_code == 302
    principal.refresh_from_db()
    assert principal.is_superuser
    assert list(principal.groups.values_list("name", flat=True)) == [Role.REVIEWER]


def _staff_in_other_ways(db) -> dict[str, User]:
    """Staff accounts an admin must not take over, beyond the staff roles themselves."""
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(Permission.objects.get(codename="view_all_filings"))
    targets = {
        "reviewer": factories.UserFactory(username="t-reviewer", role=Role.REVIEWER),
        "manager": factories.UserFactory(username="t-manager", role=Role.MANAGER),
        "is_staff": factories.UserFactory(username="t-is-staff", role=Role.PRINCIPAL, is_staff=True),
        "permission": factories.UserFactory(username="t-permission", role=Role.PRINCIPAL),
        "staff_group": factories.UserFactory(username="t-group", role=Role.PRINCIPAL),
        "inactive": factories.UserFactory(username="t-inactive", role=Role.PRINCIPAL, is_active=False),
    }
    targets["permission"].user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    targets["staff_group"].groups.add(auditors)
    targets["inactive"].user_permissions.add(Permission.objects.get(codename="review_filings"))
    return targets


@pytest.mark.parametrize("kind", ["reviewer", "manager", "is_staff", "permission", "staff_group", "inactive"])
def test_an_admin_cannot_take_over_any_staff_account(db, role_admin, kind):
    target = _staff_in_other_ways(db)[kind]
    groups = list(target.groups.values_list("pk", flat=True))
    client = _client(role_admin)

    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(url, {"password1": "Takeover-12345", "password2": "Takeover-12345"})
    assert response.status_code == 403
    principal_group = Group.objects.get(name=Role.PRINCIPAL).pk
    response = client.post(
        _change_url(target), _change_data(target, email="attacker@example.cn", groups=[principal_group])
    )
    assert response.status_code == 403
    client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})

    target.refresh_from_db()
    assert not target.check_password("Takeover-12345") and target.check_password("pass-1234")
    assert target.email != "attacker@example.cn"
    assert list(target.groups.values_list("pk", flat=True)) == groups


def test_an_admin_cannot_give_a_group_that_carries_a_staff_permission(db, role_admin, principal):
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(Permission.objects.get(codename="view_all_filings"))
    client = _client(role_admin)
    assert f'value="{auditors.pk}"' not in client.get(_change_url(principal)).content.decode()
    client.post(_change_url(principal), _change_data(principal, groups=[auditors.pk]))
    assert not principal.groups.filter(pk=auditors.pk).exists()
