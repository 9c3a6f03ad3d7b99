"""The navigation's addresses (filings.web.context_processors.navigation): reversed once per process
and script prefix, each the address its name reverses to under the prefix the site is served at."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix

from filings.web.context_processors import NAVIGATION, navigation
from tests import factories
from tests.two_factor import verify_second_factor

pytestmark = pytest.mark.django_db


def test_every_navigation_link_is_the_address_its_name_reverses_to(client):
    admin = factories.UserFactory(username="nav-admin", role="admin")
    client.force_login(admin)
    verify_second_factor(client, admin)
    html = client.get("/filings/").content.decode()
    nav = re.search(r"<nav aria-label=[^>]*>(.*?)</nav>", html, re.S).group(1)
    for name in NAVIGATION.values():
        assert f'"{reverse(name)}"' in nav, name


def test_the_navigation_follows_the_prefix_the_site_is_served_under():
    request = RequestFactory().get("/")
    try:
        set_script_prefix("/beian/")
        prefixed = navigation(request)["nav_urls"]
        assert prefixed["filings"] == "/beian/filings/" == reverse("filings:list")
    finally:
        set_script_prefix("/")
    assert navigation(request)["nav_urls"]["filings"] == "/filings/"
    assert set(prefixed) == set(NAVIGATION)


def test_the_head_links_every_asset_at_the_address_static_gives_it(client, settings):
    from django.templatetags.static import static

    from filings.web.context_processors import ASSETS

    head = client.get("/accounts/login/").content.decode().split("</head>")[0]
    for path in ASSETS.values():
        assert f'"{static(path)}"' in head, path
    settings.STATIC_URL = "/assets/"
    head = client.get("/accounts/login/").content.decode().split("</head>")[0]
    assert '<link rel="stylesheet" href="/assets/css/beian.css">' in head
    assert '<script src="/assets/js/beian.js" defer></script>' in head
