"""The header navigation is kept per process, yet each page shows the requester's own CSRF token,
unread count, name, links and language."""

import re

import pytest
from django.contrib.auth.models import Group
from django.middleware.csrf import _unmask_cipher_token
from django.template import Context, Template

from accounts.roles import Role
from filings import fragments
from tests import factories
from tests.caching import logged_in_client
from tests.two_factor import verify_second_factor

QUEUE = "/filings/review/queues/provider_review/"
pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return re.search(r"<nav aria-label=[^>]*>(.*?)</nav>", html, re.S).group(1)


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_each_requester_gets_their_own_csrf_token_in_the_navigation():
    reviewer_a = factories.reviewer_user(username="a", display_name="审核员甲")
    reviewer_b = factories.reviewer_user(username="b", display_name="审核员乙")
    pages = {}
    for user in (reviewer_a, reviewer_b):
        client = logged_in_client(user)
        html = client.get(QUEUE).content.decode()
        tokens = _tokens(_nav(html))
        assert len(tokens) == 2  # logout and the language switch
        secret = client.cookies["csrftoken"].value
        assert {_unmask_cipher_token(t) for t in tokens} == {secret}
        assert fragments.CSRF_PLACEHOLDER not in html
        pages[user.username] = _nav(html)
    assert "审核员甲" in pages["a"] and "审核员乙" in pages["b"] and "审核员甲" not in pages["b"]


def test_links_follow_the_users_permissions_at_once():
    user = factories.principal_user(username="p")
    client = logged_in_client(user)
    nav = _nav(client.get("/filings/").content.decode())
    assert "新建备案" in nav and "审核队列" not in nav and "看板" not in nav
    user.groups.add(Group.objects.get(name=Role.MANAGER))
    verify_second_factor(client, user)  # a manager must give a second factor (issue #14)
    nav = _nav(client.get("/filings/").content.decode())
    assert "看板" in nav and "备案列表" in nav


def test_the_language_switch_returns_to_the_page_it_was_used_on_in_that_language():
    client = logged_in_client(factories.reviewer_user())
    nav = _nav(client.get(QUEUE + "?page=2").content.decode())
    assert 'name="next" type="hidden" value="/filings/review/queues/provider_review/?page=2"' in nav
    assert '<option value="zh-hans" selected>' in nav and "退出" in nav
    client.post("/i18n/setlang/", {"language": "en", "next": QUEUE})
    nav = _nav(client.get(QUEUE).content.decode())
    assert '<option value="en" selected>' in nav and "Log out" in nav


def test_the_unread_count_is_part_of_what_is_kept(rf):
    user = factories.principal_user()
    request = rf.get("/filings/")
    request.user = user
    template = Template("{% load navigation %}{% navigation %}")
    shown = []
    for unread in (0, 2, 0):
        context = Context({"request": request, "user": user, "unread_alert_count": lambda n=unread: n})
        shown.append(template.render(context))
    assert "(2)" in shown[1] and "(2)" not in shown[0] and shown[0] == shown[2]
    assert 'value=""' in shown[0]  # no CSRF token in this context: none is made up


def test_an_anonymous_page_has_only_the_language_switch(client):
    nav = _nav(client.get("/accounts/login/").content.decode())
    assert "退出" not in nav and 'name="language"' in nav and len(_tokens(nav)) == 1


def test_fragments_are_kept_except_in_development(settings, monkeypatch):
    rendered = []
    monkeypatch.setattr(fragments, "render_to_string", lambda name, values: rendered.append(name) or "x")
    fragments._rendered.cache_clear()
    settings.DEBUG = False
    fragments.kept("review/_queue_table_head.html")
    fragments.kept("review/_queue_table_head.html")
    assert len(rendered) == 1
    settings.DEBUG = True
    fragments.kept("review/_queue_table_head.html")
    assert len(rendered) == 2
    fragments._rendered.cache_clear()
