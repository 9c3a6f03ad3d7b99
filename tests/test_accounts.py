"""Roles: the groups and their permissions, login landing, and the admin role's reach into the admin."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Perm, Role
from tests import factories


@pytest.mark.django_db
def test_every_role_group_exists_with_its_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {Role.PRINCIPAL, Role.REVIEWER, Role.MANAGER, Role.ADMIN} <= names
    assert factories.principal_user().has_perm(Perm.WORK_ON_OWN)
    assert not factories.principal_user().has_perm(Perm.VIEW_ALL)
    assert factories.reviewer_user().has_perm(Perm.REVIEW)
    assert factories.manager_user().has_perm(Perm.DASHBOARD)
    assert not factories.manager_user().has_perm(Perm.REVIEW)


@pytest.mark.django_db
def test_a_non_superuser_admin_can_maintain_reference_data_in_the_admin(client):
    admin_user = factories.UserFactory(username="ops-admin", role=Role.ADMIN)
    assert not admin_user.is_superuser
    assert admin_user.has_perm("filings.change_province")
    assert admin_user.has_perm("filings.add_calendarday")
    client.force_login(admin_user)
    assert client.get("/admin/filings/province/").status_code == 200
    assert client.get("/admin/filings/calendarday/add/").status_code == 200


@pytest.mark.django_db
def test_a_reviewer_has_no_admin_site_access(client):
    client.force_login(factories.reviewer_user())
    assert client.get("/admin/filings/province/").status_code == 302


@pytest.mark.django_db
def test_login_lands_a_principal_on_my_filings(client):
    factories.principal_user(username="wang")
    response = client.post("/accounts/login/", {"username": "wang", "password": "pass-1234"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/filings/")


@pytest.mark.django_db
def test_an_invalid_token_gets_401(client):
    response = client.get("/api/v1/filings/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_session_ends_when_its_user_is_deactivated_or_deleted(client):
    from django.urls import reverse

    from accounts.models import User

    user = factories.principal_user(username="leaving")
    client.force_login(user)
    assert client.get(reverse("filings:list")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("filings:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    other = factories.principal_user(username="gone")
    client.force_login(other)
    assert client.get(reverse("filings:list")).status_code == 200
    other.delete()
    assert client.get(reverse("filings:list")).status_code == 302
