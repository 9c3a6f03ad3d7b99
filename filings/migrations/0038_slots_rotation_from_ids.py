# Each website's place in the site-check rotation is derived from its id (issue #25): the stored slot
# becomes the recheck time of a failing site, and the rotation keeps one position row.

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import filings.models.rotation


def keep_only_rechecks(apps, schema_editor):
    """A passing site's stored slot was its place in the rotation, which its id now gives; a failing
    site's (the earlier of its slot and its recheck) becomes its recheck time."""
    apps.get_model("filings", "SiteWatch").objects.filter(failing=[]).update(recheck_at=None)


def give_back_slots(apps, schema_editor):
    """Give every site without a recheck time the slot the former planning gave it."""
    SiteWatch = apps.get_model("filings", "SiteWatch")
    now = timezone.now()
    interval = timedelta(hours=settings.BEIAN_SITE_CHECK_INTERVAL_HOURS)
    batch = []
    for watch in SiteWatch.objects.filter(recheck_at__isnull=True).only("pk").iterator(chunk_size=10_000):
        watch.recheck_at = now + interval * filings.models.rotation.phase_of(watch.pk)
        batch.append(watch)
        if len(batch) == 10_000:
            SiteWatch.objects.bulk_update(batch, ["recheck_at"])
            batch = []
    SiteWatch.objects.bulk_update(batch, ["recheck_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("filings", "0037_transperf_filing_document_trigger_columns"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteRotation",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("cycle", models.BigIntegerField(verbose_name="巡检轮次")),
                ("phase", models.FloatField(verbose_name="轮内相位")),
                ("interval_hours", models.PositiveIntegerField(verbose_name="巡检间隔(小时)")),
                ("swept_at", models.DateTimeField(verbose_name="推进时间")),
            ],
            options={
                "verbose_name": "网站巡检进度",
                "verbose_name_plural": "网站巡检进度",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="site_rotation_one_row")
                ],
            },
        ),
        migrations.RemoveIndex(
            model_name="sitewatch",
            name="site_watch_due",
        ),
        migrations.AlterField(
            model_name="sitewatch",
            name="next_check_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="下次检查时间"),
        ),
        migrations.RenameField(
            model_name="sitewatch",
            old_name="next_check_at",
            new_name="recheck_at",
        ),
        migrations.AlterField(
            model_name="sitewatch",
            name="recheck_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="复查时间"),
        ),
        migrations.RunPython(keep_only_rechecks, give_back_slots),
        migrations.AddIndex(
            model_name="sitewatch",
            index=models.Index(
                condition=models.Q(("recheck_at__isnull", False)),
                fields=["recheck_at", "website"],
                name="site_watch_recheck",
            ),
        ),
        migrations.AddIndex(
            model_name="sitewatch",
            index=models.Index(
                filings.models.rotation.RotationPhase("website"), models.F("website"), name="site_watch_phase"
            ),
        ),
        migrations.AddIndex(
            model_name="website",
            index=models.Index(
                filings.models.rotation.RotationPhase("id"),
                models.F("id"),
                models.F("filing"),
                condition=models.Q(("access_cancelled_at__isnull", True), ("cancelled_at__isnull", True)),
                name="website_rotation_phase",
            ),
        ),
    ]
