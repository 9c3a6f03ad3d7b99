"""Rebuild the dashboard's statistics summaries from the filing history."""

from django.core.management.base import BaseCommand

from filings.jobs import summaries


class Command(BaseCommand):
    help = "刷新看板统计汇总;--full 从全部历史重建(否则只重算最近两天)。"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="从全部历史重建")

    def handle(self, *args, full=False, **options):
        refresh = summaries.refresh_summaries(full=full)
        self.stdout.write(
            self.style.SUCCESS(f"统计已刷新:读取 {refresh.events} 条历史,用时 {refresh.seconds:.1f}s")
        )
