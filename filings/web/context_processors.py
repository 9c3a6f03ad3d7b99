"""Template context shared by every page: the navigation's addresses and the unread alert count it
shows, and the addresses of the assets every page's head links to."""

import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

from filings.reads import selectors

# The navigation's links, by the name the template uses.
NAVIGATION = {
    "filings": "filings:list",
    "create": "filings:create",
    "alerts": "alert-inbox",
    "queues": "filings:review-index",
    "bureau_imports": "filings:bureau-imports",
    "dashboard": "filings:dashboard",
    "compliance": "filings:compliance",
    "exports": "filings:exports",
    "password": "accounts:password_change",
    "logout": "accounts:logout",
    "language": "set_language",
}


@functools.cache
def _navigation_urls(script_prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in NAVIGATION.items()}


def navigation(request) -> dict:
    # The addresses depend on the URL configuration alone (and the prefix the site is served
    # under): reversed once per process instead of eleven {% url %} on every page, about 3% of a
    # queue page's instructions.
    return {"nav_urls": _navigation_urls(get_script_prefix())}


# The files every page's head links to, by the name base.html uses.
ASSETS = {
    "css": "css/beian.css",
    "favicon_svg": "favicon.svg",
    "favicon_ico": "favicon.ico",
    "touch_icon": "apple-touch-icon.png",
    "js": "js/beian.js",
}


@functools.cache
def _asset_urls(static_url: str, storage: str) -> dict[str, str]:
    return {key: static(path) for key, path in ASSETS.items()}


def assets(request) -> dict:
    # The storage names a file's address from the settings alone (no manifest is read): found once
    # per process and STATIC_URL instead of five {% static %} on every page (about 85 calls each).
    return {"assets": _asset_urls(settings.STATIC_URL, settings.STORAGES["staticfiles"]["BACKEND"])}


def alerts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call it when they show it: counted only then, and once per request.
    return {"unread_alert_count": functools.cache(lambda: selectors.unread_alert_count(user))}
