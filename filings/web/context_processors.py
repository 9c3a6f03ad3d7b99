"""Template context shared by every page: the navigation's addresses and the unread alert count it
shows."""

import functools

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


def alerts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call it when they show it: counted only then, and once per request.
    return {"unread_alert_count": functools.cache(lambda: selectors.unread_alert_count(user))}
