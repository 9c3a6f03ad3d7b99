"""The provisional-deadline list is ordered by (due_at, id): many share a due time, so id goes into its index."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('filings', '0004_review_footer_stats'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='deadline',
            name='deadline_open_provisional',
        ),
        migrations.AddIndex(
            model_name='deadline',
            index=models.Index(condition=models.Q(('closed_at__isnull', True), ('provisional', True)), fields=['due_at', 'id'], name='deadline_open_provisional_id'),
        ),
    ]
