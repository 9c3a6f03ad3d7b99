import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def copy_filing_provinces(apps, schema_editor):
    Deadline = apps.get_model("filings", "Deadline")
    Filing = apps.get_model("filings", "Filing")
    Deadline.objects.filter(province__isnull=True).update(
        province=Subquery(Filing.objects.filter(pk=OuterRef("filing_id")).values("province")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("filings", "0007_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="province",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="filings.province",
                verbose_name="省份",
            ),
        ),
        migrations.RunPython(copy_filing_provinces, migrations.RunPython.noop),
    ]
