from django.db import migrations


def name_from_code(apps, schema_editor):
    # Seeded with a Chinese label; named by the code now, so that every reader gets their language.
    AlertThreshold = apps.get_model("filings", "AlertThreshold")
    AlertThreshold.objects.filter(
        deadline_kind="footer_fix", code="check_failed", label="页脚检查未通过,整改期开始"
    ).update(label="")


class Migration(migrations.Migration):
    dependencies = [("filings", "0015_merge_first_user_fixes")]

    operations = [migrations.RunPython(name_from_code, migrations.RunPython.noop)]
