from django.db import migrations

from filings.rules.reference_data import LATER_ALLOWED_TLDS


def load_later_allowed_tlds(apps, schema_editor):
    RuleTerm = apps.get_model("filings", "RuleTerm")
    for tld in LATER_ALLOWED_TLDS:
        RuleTerm.objects.get_or_create(
            kind="allowed_tld",
            value=tld,
            province=None,
            defaults={"note": "工信部批准的可备案域名后缀,请管理员按工信部最新公布的名单增删"},
        )


class Migration(migrations.Migration):
    dependencies = [("filings", "0023_province_abbreviations_and_documents")]

    operations = [migrations.RunPython(load_later_allowed_tlds, migrations.RunPython.noop)]
