"""Refuse a request whose declared body is too large before anything reads it."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

MB = 1024 * 1024


# Set by the production proxy (deploy/nginx.conf) on the headers of a request whose body it refused
# at the same cap, so that the refusal is this app's answer; the proxy drops a client's own.
REFUSED_BY_PROXY = "HTTP_X_BEIAN_BODY_REFUSED"


class RequestSizeLimitMiddleware:
    """Answer 413 when Content-Length passes BEIAN_MAX_REQUEST_BYTES, or the proxy refused the body.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams a multipart file to disk
    whatever its size, and the CSRF check reads the whole body first; this looks only at the header.
    A body without Content-Length is not read by Django at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.BEIAN_MAX_REQUEST_BYTES
        if length > limit or request.META.get(REFUSED_BY_PROXY):
            # Sessions and LocaleMiddleware have not run: the language comes from its cookie or the
            # browser's Accept-Language, as LocaleMiddleware would find it for a page.
            with translation.override(translation.get_language_from_request(request)):
                # No "Connection: close": PEP 3333 forbids an application's hop-by-hop headers
                # (Django's development server answered 500, gunicorn drops them); both servers
                # read past an unread body before the connection's next request.
                return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request, limit: int):
    if request.path.startswith("/api/"):
        message = _("请求内容超过 %(mb)s MB 的上限,请压缩文件后重试。") % {"mb": limit // MB}
        return JsonResponse({"detail": message, "code": "too_large"}, status=413)
    # A page's upload (a material, a result file): say the limit its form states, and lead back to it.
    context = {
        "file_mb": settings.MATERIAL_MAX_BYTES // MB,
        "back": request.get_full_path(),
        "home": reverse("home"),
    }
    return render(request, "413.html", context, status=413)
