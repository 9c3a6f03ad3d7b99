"""The project's URLs plus two bare Django views as load-test baselines: one anonymous (no session,
no database, no template) and one behind the same session and login as the pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def bare_logged_in(request):
    # Loads the session and the user, as every logged-in page does; nothing else.
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("bench/bare-user/", bare_logged_in), *project_urlpatterns]
