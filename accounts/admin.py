from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.admin import AuthTokenAdmin as BaseAuthTokenAdmin
from knox.models import AuthToken

from accounts import two_factor
from accounts.models import User
from accounts.roles import STAFF_PERMISSIONS, Role, is_staff_role

# Groups whose members act on other people's filings or on the site itself.
STAFF_ROLES = (Role.REVIEWER, Role.MANAGER, Role.ADMIN)
# Fields that would let an admin who is not a superuser raise someone's (or their own) rights.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users and their roles; only a superuser may grant superuser rights or a staff role."""

    fieldsets = BaseUserAdmin.fieldsets + ((_("联系方式"), {"fields": ("display_name", "mobile")}),)
    list_display = ["username", "display_name", "email", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active"]
    actions = ["reset_second_factor"]

    @admin.action(description=_("重置两步验证(设备丢失时)"), permissions=["reset_second_factor"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            two_factor.reset_second_factor(user, by=request.user)
        self.message_user(
            request,
            _("已重置 %(n)s 个用户的两步验证,他们下次登录时须重新绑定验证器。") % {"n": len(queryset)},
            messages.SUCCESS,
        )

    def has_reset_second_factor_permission(self, request):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += PRIVILEGE_FIELDS
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(pk__in=_staff_groups().values("pk"))
            kwargs["help_text"] = _("只有超级用户可以授予初审员、管理者和管理员角色。")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        form.was_privileged = change and _is_privileged(User.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        kept = []
        if change and not request.user.is_superuser:
            # The form offers only the other groups: keep the staff roles the user already has.
            kept = list(form.instance.groups.filter(pk__in=_staff_groups().values("pk")))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)
        if change and not form.was_privileged and _is_privileged(form.instance):
            # A token made before the user became staff was made without the second factor.
            AuthToken.objects.filter(user=form.instance).delete()

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and _is_privileged(obj):
            # Changing a superuser's or staff member's password or data would be a way to become them.
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and _is_privileged(obj):
            return False
        return super().has_delete_permission(request, obj)


def _is_privileged(user: User) -> bool:
    """Return whether the user is staff in any way: a superuser, `is_staff`, a staff role, or a staff
    permission held directly or through any group (also while the account is inactive)."""
    if user.is_superuser or user.is_staff or is_staff_role(user):
        return True
    return user.groups.filter(name__in=STAFF_ROLES).exists() or _staff_permissions_of(user).exists()


def _staff_permissions_of(user: User):
    """Return the staff permissions the user holds directly or through a group, active or not."""
    return _staff_permissions().filter(Q(user=user) | Q(group__user=user))


def _staff_permissions():
    codenames = [name.split(".", 1)[1] for name in STAFF_PERMISSIONS]
    return Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)


def _staff_groups():
    """Return the staff roles and every other group that carries a staff permission."""
    return Group.objects.filter(Q(name__in=STAFF_ROLES) | Q(permissions__in=_staff_permissions())).distinct()


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Roles are groups: only a superuser may change what a role is allowed to do."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(BaseAuthTokenAdmin):
    """Tokens are listed by digest and revoked by deleting them; only a superuser may create one
    (for someone else, it is a way to act as them) and none is ever extended."""

    list_filter = ("user",)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False
