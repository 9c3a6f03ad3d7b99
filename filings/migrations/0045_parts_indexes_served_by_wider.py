# Indexes that another index or unique constraint starting with the same column already serves (a
# website's filing, (filing, position); a domain's website, (website, name); an event's filing,
# (filing, at); ...): every row written maintained them for nothing (at a million filings: events
# 59 MB, submitted features 23 MB, websites and domains 21 MB each). Dropped by name, concurrently
# on PostgreSQL (rows go on being written meanwhile), not by AlterField, which would drop and re-add
# each foreign key and check every row again. tests/test_migration_operations.py keeps it so.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from config.migration_operations import concurrently

# (index, table, its columns) as earlier migrations created them.
REDUNDANT = [
    ("filings_app_filing_id_1a774954", "filings_app", "(filing_id)"),
    ("filings_appplatform_app_id_9dd5bc06", "filings_appplatform", "(app_id)"),
    ("filings_apppriorapproval_app_id_97c1ffcb", "filings_apppriorapproval", "(app_id)"),
    ("filings_bureauimportrow_upload_id_fb4aaa2a", "filings_bureauimportrow", "(upload_id)"),
    ("filings_bureaupackage_filing_id_bd3081d6", "filings_bureaupackage", "(filing_id)"),
    ("filings_callattempt_filing_id_cc0c1b73", "filings_callattempt", "(filing_id)"),
    ("filings_domain_website_id_3893de9c", "filings_domain", "(website_id)"),
    ("filings_exportjob_user_id_e3252612", "filings_exportjob", "(user_id)"),
    ("filings_filingevent_filing_id_d9b24b8d", "filings_filingevent", "(filing_id)"),
    ("filings_footercheck_filing_id_8708a680", "filings_footercheck", "(filing_id)"),
    ("filings_footercheck_website_id_a63e922b", "filings_footercheck", "(website_id)"),
    ("filings_material_filing_id_378dfa64", "filings_material", "(filing_id)"),
    ("filings_priorapproval_website_id_e8466357", "filings_priorapproval", "(website_id)"),
    ("filings_provideraddressrange_provider_b0423969", "filings_provideraddressrange", "(provider)"),
    # PostgreSQL only: for LIKE on the provider, which nothing asks (the site checks match it exactly).
    (
        "filings_provideraddressrange_provider_b0423969_like",
        "filings_provideraddressrange",
        "(provider varchar_pattern_ops)",
    ),
    ("filings_risksummary_province_id_f9ebd2d0", "filings_risksummary", "(province_id)"),
    ("filings_sitecheck_filing_id_adbe1c7c", "filings_sitecheck", "(filing_id)"),
    ("filings_sitecheck_website_id_29f6c00b", "filings_sitecheck", "(website_id)"),
    ("filings_smsverifier_filing_id_3f1582f1", "filings_smsverifier", "(filing_id)"),
    ("filings_stagecount_province_id_f100a0d0", "filings_stagecount", "(province_id)"),
    ("filings_submittedfeatures_filing_id_b5797383", "filings_submittedfeatures", "(filing_id)"),
    ("filings_website_filing_id_eab41ca2", "filings_website", "(filing_id)"),
]


def drop_indexes(apps, schema_editor):
    for index, _table, _columns in REDUNDANT:
        schema_editor.execute(f"DROP INDEX{concurrently(schema_editor)} IF EXISTS {index}")


def create_indexes(apps, schema_editor):
    for index, table, columns in REDUNDANT:
        if "varchar_pattern_ops" in columns and schema_editor.connection.vendor != "postgresql":
            continue
        schema_editor.execute(
            f"CREATE INDEX{concurrently(schema_editor)} IF NOT EXISTS {index} ON {table} {columns}"
        )


class Migration(migrations.Migration):
    # PostgreSQL drops and builds an index concurrently only outside a transaction.
    atomic = False

    dependencies = [
        ("filings", "0044_alertscan_deadline_totals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="app",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="apps",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="appplatform",
                    name="app",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="platforms",
                        to="filings.app",
                        verbose_name="应用",
                    ),
                ),
                migrations.AlterField(
                    model_name="apppriorapproval",
                    name="app",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prior_approvals",
                        to="filings.app",
                        verbose_name="应用",
                    ),
                ),
                migrations.AlterField(
                    model_name="bureauimportrow",
                    name="upload",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="filings.bureauimport",
                    ),
                ),
                migrations.AlterField(
                    model_name="bureaupackage",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bureau_packages",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="callattempt",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="call_attempts",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="domain",
                    name="website",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="domains",
                        to="filings.website",
                        verbose_name="网站",
                    ),
                ),
                migrations.AlterField(
                    model_name="exportjob",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="export_jobs",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请人",
                    ),
                ),
                migrations.AlterField(
                    model_name="filingevent",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="footercheck",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="footer_checks",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="footercheck",
                    name="website",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="footer_checks",
                        to="filings.website",
                        verbose_name="网站",
                    ),
                ),
                migrations.AlterField(
                    model_name="material",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="materials",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="priorapproval",
                    name="website",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prior_approvals",
                        to="filings.website",
                        verbose_name="网站",
                    ),
                ),
                migrations.AlterField(
                    model_name="provideraddressrange",
                    name="provider",
                    field=models.CharField(
                        help_text="与网站的“接入服务商”一致", max_length=100, verbose_name="接入服务商"
                    ),
                ),
                migrations.AlterField(
                    model_name="risksummary",
                    name="province",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="filings.province",
                    ),
                ),
                migrations.AlterField(
                    model_name="sitecheck",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="site_checks",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="sitecheck",
                    name="website",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="site_checks",
                        to="filings.website",
                        verbose_name="网站",
                    ),
                ),
                migrations.AlterField(
                    model_name="smsverifier",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sms_verifiers",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
                migrations.AlterField(
                    model_name="stagecount",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="filings.province",
                    ),
                ),
                migrations.AlterField(
                    model_name="submittedfeatures",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="filings.filing",
                    ),
                ),
                migrations.AlterField(
                    model_name="website",
                    name="filing",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="websites",
                        to="filings.filing",
                        verbose_name="备案",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
