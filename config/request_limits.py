"""Refuse a request whose declared body is too large before anything reads it."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Answer 413 when Content-Length passes BEIAN_MAX_REQUEST_BYTES.

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
        if length > limit:
            message = _("请求内容超过 %(mb)s MB 的上限,请压缩文件后重试。") % {"mb": limit // (1024 * 1024)}
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": message, "code": "too_large"}, status=413)
            else:
                response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            # The unread body must not be taken for the next request on a kept-alive connection.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
