"""Show how far the site-check rotation has got and what it watches (nothing needs planning: each
site's place in the rotation is derived from its id)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from filings.jobs import site_watch


class Command(BaseCommand):
    help = "Show the site-check rotation's position, the watched sites and the rechecks waiting."

    def handle(self, *args, **options):
        status = site_watch.rotation_status()
        if status.swept_to is None:
            self.stdout.write("swept_to=none (the first scheduled run starts the rotation at its own time)")
        else:
            swept_to = timezone.localtime(status.swept_to).isoformat(timespec="seconds")
            self.stdout.write(f"swept_to={swept_to} behind={status.behind}")
        self.stdout.write(
            f"interval_hours={settings.BEIAN_SITE_CHECK_INTERVAL_HOURS} "
            f"watched={status.watched} rechecks_waiting={status.rechecks_waiting}"
        )
