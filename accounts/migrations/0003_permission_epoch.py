"""The permission epoch: one row, read with every request's user."""
from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("accounts", "PermissionEpoch").objects.get_or_create(pk=1)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_role_groups'),
    ]

    operations = [
        migrations.CreateModel(
            name='PermissionEpoch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': '权限版本',
                'verbose_name_plural': '权限版本',
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
