"""Import domains' expiry dates from a registrar's CSV file (domain,expires_on)."""

from django.core.management.base import BaseCommand, CommandError

from filings.jobs import domain_expiry


class Command(BaseCommand):
    help = "Import domain expiry dates from a CSV file (domain,YYYY-MM-DD) and update the expiry deadlines."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        with open(path, encoding="utf-8-sig") as handle:
            result = domain_expiry.import_expiry_csv(handle.read())
        if result.errors:
            raise CommandError("\n".join(result.errors))
        changed, closed = domain_expiry.sync_domain_deadlines()
        self.stdout.write(
            f"updated={result.updated} unknown={len(result.unknown)} deadlines_changed={changed} closed={closed}"
        )
        for name in result.unknown:
            self.stdout.write(f"unknown domain: {name}")
