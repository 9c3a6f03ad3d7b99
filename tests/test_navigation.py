"""The header navigation shows each requester their own CSRF token, unread count, name, links and
language."""

import re

import pytest
from django.contrib.auth.models import Group
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from accounts.roles import Role
from tests import factories
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
    nav = _nav(client.get(QUEUE + "?province=44").content.decode())
    assert 'name="next" type="hidden" value="/filings/review/queues/provider_review/?province=44"' in nav
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in nav and "退出" in nav
    client.post("/i18n/setlang/", {"language": "en", "next": QUEUE})
    nav = _nav(client.get(QUEUE).content.decode())
    assert '<option value="en" lang="en" selected>English</option>' in nav and "Log out" in nav
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in nav  # each in its own words


def test_an_anonymous_page_has_only_the_language_switch(client):
    nav = _nav(client.get("/accounts/login/").content.decode())
    assert "退出" not in nav and 'name="language"' in nav and len(_tokens(nav)) == 1


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_readers_name_and_the_address_are_escaped_in_the_navigation():
    user = factories.principal_user(username="p-markup", display_name='<b>甲&"乙</b>')
    nav = _nav(logged_in_client(user).get('/filings/?q=<i>"x"').content.decode())
    assert '<span class="who">&lt;b&gt;甲&amp;&quot;乙&lt;/b&gt;</span>' in nav
    assert 'value="/filings/?q=%3Ci%3E%22x%22"' in nav and "<b>" not in nav and "<i>" not in nav


def test_an_admin_sees_every_link_in_order_and_a_principal_only_theirs():
    admin = factories.UserFactory(username="nav-admin", role="admin")
    client = logged_in_client(admin)
    verify_second_factor(client, admin)
    nav = _nav(client.get("/filings/").content.decode())
    words = [
        "备案列表",
        "新建备案",
        "提醒",
        "审核队列",
        "管局结果导入",
        "看板",
        "公示后整改",
        "我的导出",
        "修改密码",
        "退出",
    ]
    positions = [nav.index(f">{word}<") for word in words]
    assert positions == sorted(positions)
    nav = _nav(
        logged_in_client(factories.principal_user(username="p-only")).get("/filings/").content.decode()
    )
    assert [word for word in words if f">{word}<" in nav] == ["新建备案", "提醒", "修改密码", "退出"]
    assert ">我的备案<" in nav


def test_the_navigation_words_follow_the_readers_language():
    client = logged_in_client(factories.reviewer_user(username="r-en"))
    client.cookies["django_language"] = "en"
    nav = _nav(client.get(QUEUE).content.decode())
    assert ">Review queues<" in nav and ">Log out<" in nav and "审核队列" not in nav
    client.cookies["django_language"] = "zh-hans"
    nav = _nav(client.get(QUEUE).content.decode())
    assert ">审核队列<" in nav and "Log out" not in nav
