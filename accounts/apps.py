from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("账户")

    def ready(self) -> None:
        from accounts.roles import grant_admin_model_permissions

        post_migrate.connect(grant_admin_model_permissions, dispatch_uid="beian-admin-model-permissions")
