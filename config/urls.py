from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as account_api
from config import errors
from config.health import healthz
from filings.web.views import alerts as alert_views
from filings.web.views import home as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Browsers and tools that ignore the page's <link rel="icon"> ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    path("accounts/", include("accounts.urls")),
    path("filings/", include("filings.web.urls")),
    path("alerts/", alert_views.inbox, name="alert-inbox"),
    path("alerts/read-all/", alert_views.mark_all_read, name="alert-read-all"),
    path("alerts/<int:notification_id>/read/", alert_views.mark_read, name="alert-read"),
    path("alerts/acknowledge/<int:alert_id>/", alert_views.acknowledge, name="alert-acknowledge"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", account_api.TokenLoginView.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", account_api.TokenLogoutView.as_view(), name="api-token-revoke"),
    path(
        "api/v1/auth/token/revoke-all/", account_api.TokenLogoutAllView.as_view(), name="api-token-revoke-all"
    ),
    path("api/v1/", include("filings.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Last: what no route above matches under /api/ (with its slash, so a missing one still redirects).
    re_path(r"^api/(?P<unmatched>.*)/$", errors.api_not_found),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.database_errors.server_error"
