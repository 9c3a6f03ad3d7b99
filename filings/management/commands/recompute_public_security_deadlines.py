"""Recount open public-security deadlines from each filing's go-live date (run once after upgrading)."""

from django.core.management.base import BaseCommand

from filings.services import public_security


class Command(BaseCommand):
    help = "按网站开通日期重新计算尚未关闭的公安联网备案期限(升级后运行一次)。"

    def handle(self, *args, **options):
        moved = public_security.recompute_open_deadlines()
        self.stdout.write(f"{moved}")
