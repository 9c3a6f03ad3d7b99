"""The alert inbox: a user's deadline alerts, newest first, with mark-as-read and acknowledge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.models import Alert
from filings.reads import selectors
from filings.services import alerts as alert_services
from filings.services import notifications
from filings.web.views import display

INBOX_PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    try:
        after = selectors.inbox_position(request.GET["after"]) if request.GET.get("after") else None
    except ValueError:
        return render(
            request,
            "alerts/inbox.html",
            {"error": _("分页位置无效,请从第一页重新浏览。"), "unread_count": 0},
            status=400,
        )
    page = selectors.inbox_page(request.user, unread_only=unread_only, after=after, size=INBOX_PAGE_SIZE)
    for row in page.rows:
        row.text = notifications.alert_message(row.alert) if row.alert_id else ""
    return render(
        request,
        "alerts/inbox.html",
        {
            "page": page,
            "rows": [
                {"row": row, "decision": display.decision(row.event) if row.event_id else None}
                for row in page.rows
            ],
            "query": "unread=1" if unread_only else "",
            "unread_only": unread_only,
            "unread_count": selectors.unread_alert_count(request.user),
        },
    )


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("alert-inbox")


@login_required
@require_POST
def mark_read(request, notification_id: int):
    if not selectors.alert_inbox(request.user).filter(pk=notification_id).exists():
        raise Http404
    alert_services.mark_alerts_read(by=request.user, notification_ids=[notification_id])
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    count = alert_services.mark_alerts_read(by=request.user)
    messages.success(request, _("已将 %(n)s 条提醒标为已读。") % {"n": count})
    return _back(request)


@login_required
@require_POST
def acknowledge(request, alert_id: int):
    try:
        alert = selectors.alerts_for_user(request.user).get(pk=alert_id)
    except Alert.DoesNotExist as error:
        raise Http404 from error
    alert_services.acknowledge_alert(alert, by=request.user)
    messages.success(request, _("已确认处理该提醒。"))
    return _back(request)
