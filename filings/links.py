"""URLs that stay the same for the life of a process, reversed once instead of on every page.

Reversing a URL name costs ~20 µs; the navigation alone named eight on every page."""

import functools
from typing import NamedTuple

from django.urls import get_script_prefix, get_urlconf, reverse

# The navigation's links, by the name the base template uses.
NAVIGATION = {
    "list": "filings:list",
    "create": "filings:create",
    "alerts": "alert-inbox",
    "review": "filings:review-index",
    "dashboard": "filings:dashboard",
    "password_change": "accounts:password_change",
    "logout": "accounts:logout",
    "set_language": "set_language",
}


def fixed_url(name: str, **kwargs: str) -> str:
    """Return reverse(name, kwargs=kwargs), remembered per script prefix and URL configuration."""
    return _reversed(name, tuple(sorted(kwargs.items())), get_script_prefix(), get_urlconf())


# The navigation's URLs by those names (a tuple, so a kept fragment can be keyed by it).
Navigation = NamedTuple("Navigation", [(key, str) for key in NAVIGATION])


def navigation() -> Navigation:
    return _navigation(get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=512)
def _reversed(name: str, kwargs: tuple, _prefix: str, _urlconf: str | None) -> str:
    return reverse(name, kwargs=dict(kwargs))


@functools.lru_cache(maxsize=8)
def _navigation(_prefix: str, _urlconf: str | None) -> Navigation:
    return Navigation(**{key: reverse(name) for key, name in NAVIGATION.items()})
