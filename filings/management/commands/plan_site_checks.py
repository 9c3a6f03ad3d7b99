"""Give published websites their place in the site-check rotation (--full: every website, as after
deploying or after the scheduler was down longer than a week)."""

from django.core.management.base import BaseCommand

from filings.jobs import site_watch


class Command(BaseCommand):
    help = "Plan the scheduled site checks; --full considers every website and drops stale places."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true")

    def handle(self, *args, full, **options):
        added, dropped = site_watch.plan_watches(full=full)
        self.stdout.write(f"added={added} dropped={dropped}")
