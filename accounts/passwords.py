"""What a new password ends: the user's API tokens, as it already ends their other sessions."""

from django.utils.translation import gettext as _
from knox.models import AuthToken


class ApiTokensEndWithThePassword:
    """Not a rule on the password itself: Django tells each password validator when a new password
    is saved (changed by the user, reset in the admin, `manage.py changepassword`, not when only its
    hash is upgraded at login), which makes this the one place every way of setting a password passes."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            AuthToken.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return _("设置新密码后,您的 API 令牌将全部失效,需要时请重新创建。")
