"""Import domains' expiry dates from a registrar's CSV file (domain,expires_on), one registrar adapter."""

from django.core.management.base import BaseCommand, CommandError

from filings.jobs import domain_expiry, registrars


class Command(BaseCommand):
    help = "Import domain expiry dates from a CSV file (domain,YYYY-MM-DD) and update the expiry deadlines."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            adapter = registrars.CsvFileRegistrar.from_path(path)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        result, changed, closed = domain_expiry.import_from_registrar(adapter)
        if result.errors:
            raise CommandError("\n".join(result.errors))
        self.stdout.write(
            f"updated={result.updated} unknown={len(result.unknown)} deadlines_changed={changed} closed={closed}"
        )
        for name in result.unknown:
            self.stdout.write(f"unknown domain: {name}")
