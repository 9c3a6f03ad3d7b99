"""Error pages: under /api/ an error is JSON, as the API's schema documents, elsewhere Django's page."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("找不到该地址。"), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
