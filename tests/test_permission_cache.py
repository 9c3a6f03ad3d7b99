"""Each user's permissions come from the shared cache, yet a change to their groups, their own
permissions, a group's permissions or their superuser flag counts on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.permission_cache import EVERYONE, user_token_key
from accounts.roles import Perm, Role
from tests.caching import logged_in_client, permission_queries

QUEUE = "/filings/review/queues/provider_review/"


pytestmark = pytest.mark.usefixtures("shared_cache")


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
    assert client.get(QUEUE).status_code == 200
    Permission.objects.get(codename="review_filings").user_set.clear()
    assert client.get(QUEUE).status_code == 403


def test_becoming_superuser_counts_on_the_next_request(principal):
    client = logged_in_client(principal)
    assert client.get(QUEUE).status_code == 403
    principal.is_superuser = True
    principal.save()
    assert client.get(QUEUE).status_code == 200
    principal.is_superuser = False
    principal.save()
    assert client.get(QUEUE).status_code == 403


def test_a_deleted_group_takes_its_permissions_along(reviewer):
    client = logged_in_client(reviewer)
    assert client.get(QUEUE).status_code == 200
    Group.objects.get(name=Role.REVIEWER).delete()
    assert client.get(QUEUE).status_code == 403


def test_a_lost_token_means_reading_the_database_again(reviewer):
    client = logged_in_client(reviewer)
    client.get(QUEUE)
    cache.delete_many([EVERYONE, user_token_key(reviewer.pk)])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    assert len(permission_queries(captured)) == 2  # the user's own and their groups'
    assert reviewer.has_perm(Perm.REVIEW)
