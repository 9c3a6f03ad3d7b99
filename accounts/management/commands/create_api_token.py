"""Create an API token for a user and print it: the only time it can be read."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken
from knox.settings import knox_settings


class Command(BaseCommand):
    help = "Create an API token (stored hashed, expiring) for USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="validity in days (default: REST_KNOX)")

    def handle(self, *args, username, days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}") from error
        ttl = timedelta(days=days) if days else knox_settings.TOKEN_TTL
        instance, token = AuthToken.objects.create(user=user, expiry=ttl)
        self.stdout.write(token)
        self.stderr.write(f"expires {instance.expiry:%Y-%m-%d %H:%M %Z}; it is not shown again.")
