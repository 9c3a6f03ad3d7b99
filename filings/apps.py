from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "filings"
    verbose_name = _("备案")

    def ready(self) -> None:
        from filings import signals  # noqa: F401
