"""Create the demo users and filings (idempotent), or many filings in bulk for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from filings import demo
from filings.demo.aside import Aside
from filings.jobs import alert_scan, risk_summaries, summaries


class Command(BaseCommand):
    help = "创建演示用户和演示备案(可重复执行);--filings N 批量生成 N 个备案用于性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="演示用户的密码(默认随机生成并打印;仅供本地使用)")
        parser.add_argument("--filings", type=int, default=0, help="批量生成的备案数量")
        parser.add_argument("--batch", type=int, default=10_000, help="每批生成的备案数量")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, password=None, filings=0, batch=10_000, seed=7, **options):
        if filings < 0:
            raise CommandError("--filings 不能为负数")
        # Bulk mode brings its own history; otherwise a year of finished demo filings is added once.
        report = demo.seed_demo(password=password, history=not filings)
        self.stdout.write(self.style.SUCCESS(f"演示备案:新建 {report.filings} 个({report.seconds:.1f}s)"))
        if report.users:
            self.stdout.write("演示账号(仅供本地使用):")
            for username, user_password in report.users.items():
                self.stdout.write(f"  {username:<11} {user_password}")
        else:
            self.stdout.write(
                "演示账号已存在,密码未变(用 --password 重设):principal principal2 reviewer manager admin"
            )
        if filings:
            seconds = demo.seed_bulk(count=filings, seed=seed, batch=batch, log=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(f"批量生成 {filings} 个备案用时 {seconds:.1f}s"))
        # The risk cases are rebuilt beside the rest (in a process of its own on PostgreSQL): they
        # read the decisions, which the alerts' catch-up does not change.
        risk_job = Aside(risk_summaries.refresh_risk_summaries, full=True)
        if filings:
            # A fresh bulk history has deadlines that passed long ago: raise their alerts and
            # notifications now, as the scan after an outage would, rather than in the first bench.
            started = time.monotonic()
            caught_up = alert_scan.catch_up()
            self.stdout.write(
                f"补发到期提醒:新提醒 {caught_up.raised:,} 个,重复提醒 {caught_up.repeated:,} 个,"
                f"短信核验超时退回 {caught_up.expired:,} 个({time.monotonic() - started:.1f}s)"
            )
        # The dashboard reads summaries; build them now rather than leave a manager looking at zeros
        # until the scheduler's first refresh.
        refresh = summaries.refresh_summaries(full=True)
        self.stdout.write(f"看板统计已刷新({refresh.seconds:.1f}s)")
        try:
            risk = risk_job.result()
        except RuntimeError as error:
            raise CommandError(f"退回风险汇总未能刷新:{error}") from error
        self.stdout.write(f"退回风险汇总已刷新:{risk.cases} 个已审结的提交({risk.seconds:.1f}s)")
        if filings:
            demo.settle_after_bulk(log=self.stdout.write)
