"""Measure the rejection-risk estimate on held-back history: train before a date, test after it."""

from datetime import date, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from filings.jobs import risk_evaluation, risk_summaries
from filings.rules import workdays


class Command(BaseCommand):
    help = "用某日之前的审结结果估算之后的提交,打印校准(按十分位的预测与实际)和 Brier 分数。"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="分界日期 YYYY-MM-DD(上海时间0点)")
        parser.add_argument("--minimum", type=int, default=None, help="每省每类至少的已审结提交数")
        parser.add_argument("--no-refresh", action="store_true", help="不先更新审结样本")

    def handle(self, *args, before: str, minimum: int | None, no_refresh: bool, **options):
        try:
            day = date.fromisoformat(before)
        except ValueError:
            raise CommandError("--before 须为 YYYY-MM-DD 格式的日期") from None
        if not no_refresh:
            risk_summaries.refresh_risk_summaries()
        cut = datetime(day.year, day.month, day.day, tzinfo=workdays.SHANGHAI)
        minimum = settings.BEIAN_RISK_MIN_CASES if minimum is None else minimum
        result = risk_evaluation.evaluate(before=cut, minimum=minimum)
        out = self.stdout.write
        out(f"训练 (train): {day} 之前审结的 {result.trained_on} 个提交")
        out(
            f"检验 (test): 之后审结的 {result.tested} 个提交;{result.too_little_history} 个因本省同类历史不足(<{minimum})未估算"
        )
        if not result.tested:
            out("没有可检验的提交。")
            return
        out("校准 (calibration) by decile:")
        out(f"  {'decile':>6} {'cases':>7} {'predicted':>10} {'observed':>9}")
        for index, group in enumerate(result.deciles, start=1):
            out(f"  {index:>6} {group.cases:>7} {group.predicted:>10.1%} {group.observed:>9.1%}")
        out(
            f"Brier score: {result.brier:.4f}; province base rate: {result.base_brier:.4f};"
            f" skill {result.skill:+.1%}"
        )
