"""Create one group per role with its permissions."""
from django.db import migrations

ROLE_PERMISSIONS = {
    "service_principal": ["work_on_own_filings"],
    "provider_reviewer": ["review_filings", "view_all_filings"],
    "manager": ["view_all_filings", "view_dashboard"],
    "admin": ["work_on_own_filings", "review_filings", "view_all_filings", "view_dashboard", "manage_reference_data"],
}
NAMES = {
    "work_on_own_filings": "办理分配给自己的备案",
    "review_filings": "初审并记录管局结果",
    "view_all_filings": "查看所有备案",
    "view_dashboard": "查看统计看板",
    "manage_reference_data": "维护省份、日历等参考数据",
}


def create_role_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="user")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": NAMES[codename]}
            )
            group.permissions.add(permission)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
