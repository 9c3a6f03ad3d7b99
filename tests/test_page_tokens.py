"""Filing pages keyed by change tokens in the shared cache: a hit asks the database only for the
user, yet a change to a shared subject or person, reference data edited in the admin, a new display
name or a lost token shows on the very next request, a rolled back change never does, and pages
stay right without the cache. (Service writes, the alert scan, reading alerts and calendar
recomputation are tested in test_detail_page_cache.py, in both key modes.)"""

import json

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.roles import Role
from filings import page_cache, services
from filings.models import Domain, Province, Website
from tests import factories
from tests.caching import early_in_a_minute, logged_in_client

QUEUE = "/filings/review/queues/provider_review/"


pytestmark = pytest.mark.usefixtures("shared_cache")


def _page(client: Client, filing) -> str:
    response = client.get(filing.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_cached_page_asks_the_database_only_for_the_user(filing):
    early_in_a_minute()
    client = logged_in_client(filing.assignee)
    first = _page(client, filing)
    with CaptureQueriesContext(connection) as captured:
        second = _page(client, filing)
    tables = [
        q["sql"].split("FROM", 1)[1].split()[0] for q in captured.captured_queries if "FROM" in q["sql"]
    ]
    # The user (and, without Redis, the session row); no permission, stamp or filing query.
    assert set(tables) <= {'"accounts_user"', '"django_session"'}, tables
    assert first.split("csrfmiddlewaretoken")[0] == second.split("csrfmiddlewaretoken")[0]


def test_a_lost_token_means_a_fresh_rendering(filing):
    early_in_a_minute()
    client = logged_in_client(filing.assignee)
    _page(client, filing)
    services.update_filing(
        filing, by=filing.assignee, expected_version=filing.version, subject={"postal_address": "新地址甲1号"}
    )
    cache.delete(page_cache.filing_token_key(filing.pk))  # as if evicted right after the change
    with CaptureQueriesContext(connection) as captured:
        page = _page(client, filing)
    assert "新地址甲1号" in page
    assert any('"filings_website"' in q["sql"] for q in captured.captured_queries)  # rendered
    # A new token was made: the next request is served from the cache again.
    with CaptureQueriesContext(connection) as captured:
        assert "新地址甲1号" in _page(client, filing)
    assert not any('"filings_website"' in q["sql"] for q in captured.captured_queries)


def test_a_change_to_a_shared_subject_shows_on_its_other_filings(principal, reviewer):
    older = factories.ready_filing(assignee=principal)
    client = logged_in_client(principal)
    assert "共享主体的新地址" not in _page(client, older)
    older.subject.postal_address = "广东省深圳市南山区共享主体的新地址2号"
    older.subject.save()
    assert "共享主体的新地址" in _page(client, older)


def test_a_person_edited_shows_at_once(filing):
    client = logged_in_client(filing.assignee)
    _page(client, filing)
    person = filing.subject_principal
    person.name = "欧阳新名"
    person.save()
    assert "欧阳新名" in _page(client, filing)


def test_a_reference_data_edit_in_the_admin_shows_at_once(filing):
    admin = factories.UserFactory(username="admin-t", role=Role.ADMIN)
    admin.is_superuser = True
    admin.save()
    client = logged_in_client(filing.assignee)
    assert "粤新名" not in _page(client, filing)
    province = Province.objects.get(pk=filing.province_id)
    as_admin = logged_in_client(admin)
    change = reverse("admin:filings_province_change", args=[province.pk])
    form = as_admin.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"short_name": "粤新名", "_save": "1"})
    for name, value in data.items():
        if isinstance(value, bool):
            data[name] = "on" if value else ""
        elif isinstance(value, list | dict):
            data[name] = json.dumps(value)
    response = as_admin.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Province.objects.get(pk=province.pk).short_name == "粤新名"
    assert "粤新名" in _page(client, filing)


def test_a_new_display_name_shows_at_once(filing, reviewer):
    client = logged_in_client(filing.assignee)
    filing = services.pass_review(services.submit_filing(filing, by=filing.assignee), by=reviewer)
    _page(client, filing)
    reviewer.display_name = "审核员新名"
    reviewer.save()
    assert "审核员新名" in _page(client, filing)


def test_a_change_rolled_back_leaves_the_page_as_it_was(filing):
    client = logged_in_client(filing.assignee)
    before = _page(client, filing)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_filing(
            filing,
            by=filing.assignee,
            expected_version=filing.version,
            subject={"postal_address": "回滚地址1号"},
        )
        raise RuntimeError
    after = _page(client, filing)
    assert "回滚地址1号" not in after and "回滚地址1号" not in before


UNREACHABLE = {
    "default": {
        "BACKEND": "config.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@override_settings(CACHES=UNREACHABLE, SESSION_ENGINE="django.contrib.sessions.backends.db")
def test_without_the_cache_pages_are_still_right(filing):
    client = logged_in_client(filing.assignee)
    assert "无缓存时的地址" not in _page(client, filing)
    services.update_filing(
        filing,
        by=filing.assignee,
        expected_version=filing.version,
        subject={"postal_address": "无缓存时的地址3号"},
    )
    assert "无缓存时的地址3号" in _page(client, filing)
    assert logged_in_client(factories.reviewer_user(username="rev-nocache")).get(QUEUE).status_code == 200


def test_a_domain_added_to_a_website_shows_at_once(filing):
    client = logged_in_client(filing.assignee)
    assert "token-domain-test.cn" not in _page(client, filing)
    website = Website.objects.get(pk=filing.websites.first().pk)  # no filing cached on it
    Domain.objects.create(website_id=website.pk, name="token-domain-test.cn")
    assert "token-domain-test.cn" in _page(client, filing)
