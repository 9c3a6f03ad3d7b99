# Indexes that another index starting with the same column already serves: every write of these
# rows maintained them for nothing (a transition rewrites each index of its filing, the state being
# in most; each alert notification wrote nine). Dropped by name, not by AlterField, which would drop
# and re-add each foreign key and check every row again.
import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

# (table, index, its columns) as 0001 and later migrations created them.
REDUNDANT = [
    ("filings_filing", "filings_filing_state_c5c1bb5f", "(state)"),
    ("filings_filing", "filings_filing_state_c5c1bb5f_like", "(state varchar_pattern_ops)"),
    ("filings_filing", "filings_filing_province_id_2fc2c4f1", "(province_id)"),
    ("filings_filing", "filings_filing_assignee_id_2e5ff3c3", "(assignee_id)"),
    ("filings_alert", "filings_alert_filing_id_9f1ad05a", "(filing_id)"),
    ("filings_deadline", "filings_deadline_filing_id_18a63235", "(filing_id)"),
    ("filings_notification", "filings_notification_alert_id_99542d92", "(alert_id)"),
    ("filings_notification", "filings_notification_event_id_2b08d37b", "(event_id)"),
    ("filings_notification", "filings_notification_user_id_c6f29a03", "(user_id)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0039_expiry_bigrams_lowered_once"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="deadline",
            name="deadline_open_due",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="alert",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="deadline",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deadlines",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="filing",
                    name="assignee",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_filings",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="服务负责人",
                    ),
                ),
                migrations.AlterField(
                    model_name="filing",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="filings",
                        to="filings.province",
                        verbose_name="备案省份",
                    ),
                ),
                migrations.AlterField(
                    model_name="filing",
                    name="state",
                    field=django_fsm.FSMField(
                        choices=[
                            ("entry", "信息填报"),
                            ("provider_review", "服务商初审"),
                            ("sms_verification", "短信核验"),
                            ("bureau_review", "管局审核"),
                            ("published", "备案公示"),
                            ("withdrawn", "已撤回"),
                        ],
                        default="entry",
                        max_length=50,
                        protected=True,
                        verbose_name="阶段",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="alert",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="filings.alert",
                        verbose_name="提醒",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="event",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="filings.filingevent",
                        verbose_name="办理记录",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alert_notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="接收人",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f"DROP INDEX IF EXISTS {index}" for _table, index, _columns in REDUNDANT],
                    [
                        f"CREATE INDEX IF NOT EXISTS {index} ON {table} {columns}"
                        for table, index, columns in REDUNDANT
                    ],
                )
            ],
        ),
    ]
