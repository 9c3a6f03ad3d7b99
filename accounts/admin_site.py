"""The admin site: open to staff whose session has given the second factor, not the password alone."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class VerifiedAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # The second-factor middleware already sends such a session away; this holds even without it.
        verified = getattr(request.user, "is_verified", lambda: False)()
        return super().has_permission(request) and verified


class BeianAdminConfig(AdminConfig):
    """Django's admin with the site above."""

    default_site = "accounts.admin_site.VerifiedAdminSite"
