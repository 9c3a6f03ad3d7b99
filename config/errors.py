"""Error pages people see: a refused request gets the site's own page with a way back."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


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
