"""Login lockout after repeated failures (django-axes): the backend and the page the user sees."""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone


class LockoutBackend(AxesStandaloneBackend):
    """Refuse logins from a locked account or address; a check without a request (a management
    command, a test) is no login over the network and is left to the next backend."""

    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """Say in the user's language why the login is refused and from when it may be tried again."""
    cool_off = get_cool_off(request)
    api = request.path.startswith("/api/")
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "until": timezone.localtime(timezone.now() + cool_off) if cool_off else None,
    }
    if api:
        message = render_to_string("accounts/locked_out.txt", context, request=request).strip()
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "accounts/locked_out.html", context, status=429)
