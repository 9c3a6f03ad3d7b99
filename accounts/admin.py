from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("联系方式"), {"fields": ("display_name", "mobile")}),)
    list_display = ["username", "display_name", "email", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active"]
