"""{% navigation %}: the header's links, the reader's name and the language switch, on every page.

Written in Python rather than as an include: as a template (a dozen translated words, seven
permission checks, two forms and a loop) it cost about half of what a page's own rows cost. Its
words are translated and escaped once per language and process; what differs between readers
(their permissions, name, unread count, token and address) is read on every page, as before."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Perm
from config.per_language import per_language

register = template.Library()


@per_language
def _words() -> dict[str, str]:
    """Return the navigation's fixed words in the active language, escaped."""
    words = {
        "all_filings": _("备案列表"),
        "my_filings": _("我的备案"),
        "create": _("新建备案"),
        "alerts": _("提醒"),
        "queues": _("审核队列"),
        "bureau_imports": _("管局结果导入"),
        "dashboard": _("看板"),
        "compliance": _("公示后整改"),
        "exports": _("我的导出"),
        "password": _("修改密码"),
        "logout": _("退出"),
        "language": _("语言"),
        "switch": _("切换"),
    }
    return {key: conditional_escape(word) for key, word in words.items()}


def _unread_badge(unread: int) -> str:
    label = ngettext("%(n)s 条未读", "%(n)s 条未读", unread) % {"n": unread}
    shown = "99+" if unread > 99 else unread
    return f' <span class="badge" aria-label="{conditional_escape(label)}">({shown})</span>'


def _csrf_input(token) -> str:
    # As {% csrf_token %} writes it: the page's one masked token, shared with the page's own forms.
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{conditional_escape(token)}">'


def _links(user, urls: dict[str, str], words: dict[str, str], unread: int, csrf: str) -> str:
    """Return the signed-in reader's links, name and logout button."""
    review, view_all, dashboard = (
        user.has_perm(Perm.REVIEW),
        user.has_perm(Perm.VIEW_ALL),
        user.has_perm(Perm.DASHBOARD),
    )
    link = '<a href="{}">{}</a>'.format
    lines = [
        link(urls["filings"], words["all_filings"] if view_all else words["my_filings"]),
        link(urls["create"], words["create"]) if user.has_perm(Perm.WORK_ON_OWN) else "",
        link(urls["alerts"], words["alerts"] + (_unread_badge(unread) if unread else "")),
        link(urls["queues"], words["queues"]) + link(urls["bureau_imports"], words["bureau_imports"])
        if review
        else "",
        link(urls["dashboard"], words["dashboard"]) if dashboard else "",
        link(urls["compliance"], words["compliance"]) if view_all else "",
        link(urls["exports"], words["exports"]) if review or dashboard else "",
        f'<span class="who">{conditional_escape(user)}</span>',
        link(urls["password"], words["password"]),
        f'<form method="post" action="{urls["logout"]}" class="inline">{csrf}'
        f'<button type="submit" class="link">{words["logout"]}</button></form>',
    ]
    return "".join(f"\n      {line}" for line in lines) + "\n    "


@register.simple_tag(takes_context=True)
def navigation(context) -> SafeString:
    """Return the navigation for the request the page is rendered for."""
    request, user, urls = context.request, context.get("user"), context.get("nav_urls")
    if request is None or urls is None:
        return mark_safe("")  # rendered outside a request: nothing to link to
    words = _words()
    csrf = _csrf_input(context.get("csrf_token"))
    links = ""
    if user is not None and user.is_authenticated:
        links = _links(user, urls, words, context["unread_alert_count"](), csrf)
    current = context.get("LANGUAGE_CODE")
    options = "".join(
        f'<option value="{conditional_escape(code)}" lang="{conditional_escape(code)}"'
        f"{' selected' if code == current else ''}>{conditional_escape(name)}</option>"
        for code, name in settings.LANGUAGES
    )
    return mark_safe(  # noqa: S308 (every value above is escaped, the addresses are reversed)
        f'{links}\n    <form action="{urls["language"]}" method="post" class="inline">{csrf}\n'
        f'      <input name="next" type="hidden" value="{conditional_escape(request.get_full_path())}">\n'
        f'      <label class="visually-hidden" for="lang-select">{words["language"]}</label>\n'
        '      <select id="lang-select" name="language" data-autosubmit>\n'
        f"        {options}\n"
        "      </select>\n"
        f'      <noscript><button type="submit">{words["switch"]}</button></noscript>\n'
        "    </form>\n"
    )
