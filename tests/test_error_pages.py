"""Error pages: a styled 403 with a way back, the favicon, and one log line (no traceback) per 403."""

import pytest
from django.contrib.staticfiles import finders
from django.utils.log import configure_logging

REVIEW_QUEUE = "/filings/review/"


@pytest.mark.django_db
def test_a_refused_page_is_the_sites_own_403_with_a_way_back(client, principal):
    client.force_login(principal)

    response = client.get(REVIEW_QUEUE, HTTP_REFERER="http://testserver/filings/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "没有权限访问此页面" in html
    assert "beian.css" in html  # the site's layout, not Django's bare text
    assert 'href="http://testserver/filings/"' in html and "返回上一页" in html
    assert "回到首页" in html


@pytest.mark.django_db
def test_the_403_page_never_links_back_to_another_site(client, principal):
    client.force_login(principal)

    response = client.get(REVIEW_QUEUE, HTTP_REFERER="https://evil.example/phish")

    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
    assert "回到首页" in response.content.decode()


@pytest.mark.django_db
def test_pages_name_a_favicon_served_from_our_static_files(client, principal):
    client.force_login(principal)
    html = client.get("/filings/").content.decode()

    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert 'href="/static/favicon.ico"' in html
    assert finders.find("favicon.svg") and finders.find("favicon.ico")
    assert client.get("/static/favicon.ico").status_code == 200
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == "/static/favicon.ico"


@pytest.mark.django_db
def test_an_ordinary_403_is_logged_once_without_a_traceback(client, principal, settings, capsys):
    settings.DEBUG = True  # Django's own console handler logs only with DEBUG on
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    try:
        client.force_login(principal)
        capsys.readouterr()

        assert client.get(REVIEW_QUEUE).status_code == 403

        err = capsys.readouterr().err
        assert err.count("Forbidden (Permission denied): /filings/review/") == 1, err
        assert "Traceback" not in err
    finally:
        with capsys.disabled():
            settings.DEBUG = False
            configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
