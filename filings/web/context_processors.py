"""Template context shared by every page: the unread alert count the navigation shows."""

import functools

from filings.reads import selectors


def alerts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call it when they show it: counted only then, and once per request.
    return {"unread_alert_count": functools.cache(lambda: selectors.unread_alert_count(user))}
