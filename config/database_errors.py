"""A request cut off from the database (the server ended its connection, a failover) gets a clear
"try again" answer, 503, instead of a server error; the next request connects afresh."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as plain_server_error

logger = logging.getLogger(__name__)

CONNECTION_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def unavailable(request) -> HttpResponse:
    """Return the 503 answer: JSON under /api/, else a page that needs nothing from the database
    (no user, no navigation)."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("数据库连接暂时中断,请求没有完成,请稍后重试。"), "code": "database_unavailable"},
            status=503,
        )
    else:
        retry = request.get_full_path() if request.method == "GET" else ""
        response = HttpResponse(render_to_string("503.html", {"retry": retry}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Answer a view that lost its database connection with `unavailable`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, CONNECTION_ERRORS):
            logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exception)
            return unavailable(request)
        return None


def server_error(request):
    """The 500 handler: a lost connection outside a view (a middleware reading the session) is a
    503 as well; anything else is Django's plain server error."""
    if isinstance(sys.exc_info()[1], CONNECTION_ERRORS):
        return unavailable(request)
    return plain_server_error(request)
