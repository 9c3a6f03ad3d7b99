"""Load the 31 provincial bureaus, the rule lists and the rejection-reason catalogue."""
from django.db import migrations

from filings.rules.reference_data import PROVINCES, REJECTION_REASONS, RULE_TERMS


def load(apps, schema_editor):
    Province = apps.get_model("filings", "Province")
    RuleTerm = apps.get_model("filings", "RuleTerm")
    RejectionReason = apps.get_model("filings", "RejectionReason")
    provinces = {}
    for data in PROVINCES:
        province, _ = Province.objects.update_or_create(code=data["code"], defaults=data)
        provinces[province.code] = province
    for data in RULE_TERMS:
        values = dict(data)
        province = provinces.get(values.pop("province")) if values.get("province") else None
        values.pop("province", None)
        RuleTerm.objects.get_or_create(
            kind=values["kind"], value=values["value"], province=province,
            defaults={"category": values.get("category", ""), "note": values.get("note", "")},
        )
    for data in REJECTION_REASONS:
        RejectionReason.objects.update_or_create(code=data["code"], defaults=data)


class Migration(migrations.Migration):
    dependencies = [("filings", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
