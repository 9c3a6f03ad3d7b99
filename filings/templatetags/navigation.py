"""{% navigation %}: the header's links and forms.

Every page draws them (about 40 template nodes), and for one user on one page they come out the
same every time, so they are a kept fragment (filings/fragments.py). Only the CSRF token, which
differs per request, is put in afterwards."""

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.roles import Perm
from filings import fragments, links

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context) -> SafeString:
    request, user = context.get("request"), context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    unread = context.get("unread_alert_count")
    html = fragments.kept(
        "_navigation.html",
        nav=links.navigation(),
        LANGUAGES=tuple(settings.LANGUAGES),
        next_path=request.get_full_path() if request is not None else "",
        signed_in=signed_in,
        who=str(user) if signed_in else "",
        sees_all=signed_in and user.has_perm(Perm.VIEW_ALL),
        works_on_own=signed_in and user.has_perm(Perm.WORK_ON_OWN),
        reviews=signed_in and user.has_perm(Perm.REVIEW),
        sees_dashboard=signed_in and user.has_perm(Perm.DASHBOARD),
        unread=unread() if signed_in and callable(unread) else 0,
        csrf_token=fragments.CSRF_PLACEHOLDER,
    )
    token = str(context.get("csrf_token") or "")
    token = "" if token == "NOTPROVIDED" else escape(token)  # as {% csrf_token %} does
    return mark_safe(html.replace(fragments.CSRF_PLACEHOLDER, token))  # noqa: S308 - rendered with escaping
