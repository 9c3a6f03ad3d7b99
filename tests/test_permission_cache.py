"""Each process keeps a user's permissions between requests, yet a change to their groups, their
own permissions, a group's permissions or their superuser flag counts on the very next request."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import permission_cache
from accounts.models import PermissionEpoch
from accounts.roles import Perm, Role
from tests.caching import logged_in_client, permission_queries
from tests.two_factor import verify_second_factor

QUEUE = "/filings/review/queues/provider_review/"


def test_permissions_are_read_once_then_come_from_the_cache(reviewer):
    client = logged_in_client(reviewer)
    assert client.get(QUEUE).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    assert permission_queries(captured) == []


def test_joining_a_group_counts_on_the_next_request(principal):
    client = logged_in_client(principal)
    assert client.get(QUEUE).status_code == 403
    principal.groups.add(Group.objects.get(name=Role.REVIEWER))
    verify_second_factor(client, principal)  # staff give a second factor (issue #14)
    assert client.get(QUEUE).status_code == 200


def test_leaving_a_group_from_the_groups_side_counts_on_the_next_request(reviewer):
    client = logged_in_client(reviewer)
    assert client.get(QUEUE).status_code == 200
    Group.objects.get(name=Role.REVIEWER).user_set.remove(reviewer)
    assert client.get(QUEUE).status_code == 403


def test_a_permission_taken_from_a_group_counts_on_the_next_request(reviewer):
    client = logged_in_client(reviewer)
    assert client.get(QUEUE).status_code == 200
    review = Permission.objects.get(codename="review_filings")
    Group.objects.get(name=Role.REVIEWER).permissions.remove(review)
    assert client.get(QUEUE).status_code == 403
    Group.objects.get(name=Role.REVIEWER).permissions.add(review)
    assert client.get(QUEUE).status_code == 200


def test_a_direct_permission_counts_on_the_next_request(principal):
    client = logged_in_client(principal)
    assert client.get(QUEUE).status_code == 403
    principal.user_permissions.add(Permission.objects.get(codename="review_filings"))
    verify_second_factor(client, principal)
    assert client.get(QUEUE).status_code == 200
    Permission.objects.get(codename="review_filings").user_set.clear()
    assert client.get(QUEUE).status_code == 403


def test_becoming_superuser_counts_on_the_next_request(principal):
    client = logged_in_client(principal)
    assert client.get(QUEUE).status_code == 403
    principal.is_superuser = True
    principal.save()
    verify_second_factor(client, principal)
    assert client.get(QUEUE).status_code == 200
    principal.is_superuser = False
    principal.save()
    assert client.get(QUEUE).status_code == 403


def test_a_deleted_group_takes_its_permissions_along(reviewer):
    client = logged_in_client(reviewer)
    assert client.get(QUEUE).status_code == 200
    Group.objects.get(name=Role.REVIEWER).delete()
    assert client.get(QUEUE).status_code == 403


def test_the_epoch_moves_only_with_permission_changes(reviewer, principal):
    def epoch():
        return PermissionEpoch.objects.get(pk=PermissionEpoch.ROW).value

    before = epoch()
    principal.display_name = "新名字"
    principal.save()
    assert epoch() == before
    principal.groups.add(Group.objects.get(name=Role.REVIEWER))
    assert epoch() == before + 1
    Group.objects.create(name="审计")
    assert epoch() == before + 2


def test_another_process_sees_a_change_by_the_epoch(reviewer):
    client = logged_in_client(reviewer)
    assert client.get(QUEUE).status_code == 200
    # Another process (no signal here) takes the permission away and moves the epoch.
    review = Permission.objects.get(codename="review_filings")
    Group.permissions.through.objects.filter(permission=review).delete()
    assert client.get(QUEUE).status_code == 200  # still the kept set: nothing said it changed
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_permissionepoch SET value = value + 1")
    assert client.get(QUEUE).status_code == 403


def test_kept_sets_expire(reviewer, monkeypatch):
    client = logged_in_client(reviewer)
    client.get(QUEUE)
    monkeypatch.setattr(permission_cache, "TIMEOUT_SECONDS", 0)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    assert len(permission_queries(captured)) == 2  # the user's own and their groups'
    assert reviewer.has_perm(Perm.REVIEW)


def test_without_the_epoch_row_permissions_are_read_every_time(reviewer):
    PermissionEpoch.objects.all().delete()
    client = logged_in_client(reviewer)
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        assert len(permission_queries(captured)) == 2


def test_a_full_process_starts_again(reviewer, principal, monkeypatch):
    monkeypatch.setattr(permission_cache, "MAX_USERS", 1)
    logged_in_client(reviewer).get(QUEUE)
    logged_in_client(principal).get(QUEUE)
    assert list(permission_cache._known) == [principal.pk]
