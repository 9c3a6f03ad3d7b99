"""Page fragments rendered from a few plain values and kept per process under them.

A fragment's template gets exactly the values it is kept under (and the active language decides
its wording), so nothing else can change what it shows: the values are the whole key. Used for
the parts every page or every queue view draws the same way again and again (the navigation, a
queue's tabs, filters and table head), each of which took about as long as its SQL to render."""

import functools
import secrets
from collections.abc import Hashable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Stands for the request's CSRF token in renderings kept across requests (kept fragments, cached
# detail pages); per process and unguessable, so no rendered value can contain it by accident.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


def kept(template_name: str, **values: Hashable) -> SafeString:
    """Return render_to_string(template_name, values), rendered once per process for these values.

    With DEBUG on (development) it is rendered every time, so an edited template shows at once."""
    if settings.DEBUG:
        return mark_safe(render_to_string(template_name, values))  # noqa: S308 - an autoescaped template
    return mark_safe(_rendered(template_name, get_language(), tuple(sorted(values.items()))))  # noqa: S308


@functools.lru_cache(maxsize=4096)
def _rendered(template_name: str, _language: str, values: tuple) -> str:
    # Autoescaping applies as usual: the result is as safe as any rendered template.
    return render_to_string(template_name, dict(values))
