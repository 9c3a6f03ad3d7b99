"""Run one deadline scan synchronously, as if the time were --now (for operators and tests)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from filings.jobs import alert_scan
from filings.services import notifications


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--now 须为 ISO-8601 时间,例如 2026-11-28T14:05:00+08:00(收到 {value!r})"
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


class Command(BaseCommand):
    help = "扫描截止时间,产生到期提醒并处理短信核验超时(只运行一次)。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时间扫描(ISO-8601,无时区按北京时间),默认当前时间")

    def handle(self, *args, now=None, **options):
        moment = parse_now(now) if now else timezone.now()
        result = alert_scan.scan_deadlines(now=moment)
        delivered = notifications.deliver_alert_notifications(alert_ids=result.alert_ids)
        self.stdout.write(
            f"扫描时间 {timezone.localtime(moment):%Y-%m-%d %H:%M}:新提醒 {result.raised},"
            f"重复提醒 {result.repeated},短信核验超时退回 {result.expired},已投递通知 {delivered}"
        )
