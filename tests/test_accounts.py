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


BASE_HASHERS = [
    "accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def test_production_settings_hash_with_the_tuned_argon2_first():
    from config.settings import base

    assert base.PASSWORD_HASHERS == BASE_HASHERS


@pytest.mark.django_db
def test_login_rehashes_an_older_pbkdf2_password_as_argon2id(client, settings):
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    settings.PASSWORD_HASHERS = BASE_HASHERS
    user = factories.principal_user(username="old-hash")
    User.objects.filter(pk=user.pk).update(password=make_password("pass-1234", hasher="pbkdf2_sha256"))

    response = client.post("/accounts/login/", {"username": "old-hash", "password": "pass-1234"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("pass-1234")


@pytest.mark.django_db
def test_argon2_parameters_meet_owasp_guidance_and_verify_quickly(settings):
    import time

    from argon2 import extract_parameters
    from django.contrib.auth.hashers import check_password, make_password

    settings.PASSWORD_HASHERS = BASE_HASHERS
    encoded = make_password("pass-1234")
    params = extract_parameters(encoded.removeprefix("argon2"))
    # OWASP Password Storage Cheat Sheet: Argon2id, m >= 19 MiB with t >= 2, or m >= 46 MiB with t >= 1.
    assert params.type.name == "ID"
    assert (params.memory_cost >= 19456 and params.time_cost >= 2) or params.memory_cost >= 47104
    # CPU time of this process: what a login costs here, whatever else the machine is running.
    timings = []
    for _attempt in range(3):
        started = time.process_time()
        assert check_password("pass-1234", encoded)
        timings.append(time.process_time() - started)
    assert min(timings) < 0.1, timings


@pytest.mark.django_db
def test_permissions_are_read_in_one_query_and_match_djangos(django_assert_num_queries):
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from accounts.models import User

    reviewer = factories.reviewer_user(username="perm-reader")
    direct = Permission.objects.get(codename="manage_reference_data")
    reviewer.user_permissions.add(direct)
    extra = Group.objects.create(name="perm-extra")
    extra.permissions.add(Permission.objects.get(codename="view_dashboard"))
    reviewer.groups.add(extra)

    fresh = User.objects.get(pk=reviewer.pk)
    with django_assert_num_queries(1):
        assert fresh.has_perm("accounts.review_filings") and fresh.has_perm("accounts.view_dashboard")
        assert fresh.has_perm("accounts.manage_reference_data")
        assert not fresh.has_perm("accounts.work_on_own_filings")
    expected = ModelBackend().get_all_permissions(User.objects.get(pk=reviewer.pk))
    assert fresh.get_all_permissions() == expected and "accounts.review_filings" in expected

    reviewer.groups.remove(extra)
    assert not User.objects.get(pk=reviewer.pk).has_perm("accounts.view_dashboard")
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    assert not User.objects.get(pk=reviewer.pk).has_perm("accounts.review_filings")
    superuser = User.objects.create_superuser("perm-super", "s@example.com", "x" * 12)
    assert User.objects.get(pk=superuser.pk).has_perm("accounts.work_on_own_filings")
