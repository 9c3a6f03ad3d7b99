"""Template context shared by every page: the unread alert count the navigation shows."""

from filings import selectors


def alerts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached: list[int] = []

    def unread_alert_count() -> int:
        # Counted only when a template shows it, and once per request.
        if not cached:
            cached.append(selectors.unread_alert_count(user))
        return cached[0]

    return {"unread_alert_count": unread_alert_count}
