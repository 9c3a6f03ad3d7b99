"""Error pages: a refused request gets the site's own page with a way back; under /api/ an unknown
address is JSON, as the API's schema documents, elsewhere the site's own page."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


def permission_denied(request, exception=None):
    """Render the 403 page with a link back to where the reader came from (same site only)."""
    referer = request.META.get("HTTP_REFERER", "")
    came_from = (
        referer
        if referer
        and referer != request.build_absolute_uri()
        and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=False)
        else ""
    )
    return render(request, "403.html", {"came_from": came_from, "home": reverse("home")}, status=403)


def not_found(request, exception):
    """Render the site's own 404 page (JSON under /api/)."""
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return render(request, "404.html", {"home": reverse("home")}, status=404)


@csrf_exempt
def api_not_found(request, **unmatched):
    """Answer an address under /api/ that no route matches, in JSON also with DEBUG on (where Django
    would show its HTML page instead of the 404 handler)."""
    return JsonResponse({"detail": _("找不到该地址。"), "code": "not_found"}, status=404)
