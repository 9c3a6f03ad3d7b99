from django.db import migrations, models
import django.db.models.deletion
from django.db.models import Q


# Apart from 0008: the copy's deferred foreign-key checks must be committed before the column can
# be made NOT NULL.
class Migration(migrations.Migration):
    dependencies = [("filings", "0008_deadline_province")]

    operations = [
        migrations.AlterField(
            model_name="deadline",
            name="province",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="filings.province",
                verbose_name="省份",
            ),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=Q(closed_at__isnull=True),
                fields=["province", "due_at", "id"],
                name="deadline_open_province_due",
            ),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=Q(closed_at__isnull=True),
                fields=["kind", "province", "due_at", "id"],
                name="deadline_open_kind_prov_due",
            ),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=Q(closed_at__isnull=True, provisional=True),
                fields=["province", "due_at", "id"],
                name="deadline_open_prov_provis",
            ),
        ),
    ]
