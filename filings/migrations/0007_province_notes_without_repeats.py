"""Province notes say only what no field of the province says: the rules box shows the fields
themselves, and the seeded notes repeated them (浙江 listed its residence permit twice).
A note an admin has changed since it was seeded is left alone."""

from django.db import migrations

# code: (note as seeded by 0002, note now)
NOTES = {
    "13": ("证件地址与通信地址须在同一城市。", ""),
    "14": ("每个备案最多3个域名;个人备案仅接受本省身份证。", ""),
    "15": ("个人备案仅接受本省身份证。", ""),
    "31": (
        "网站数量超过一定数量时须提交网站建设方案书;人脸核验须在管局自有应用中完成,且须本人在上海境内进行;"
        "个人备案可使用本省居住证。",
        "网站数量超过一定数量时须提交网站建设方案书;人脸核验须本人在上海境内进行。",
    ),
    "33": ("管局审核时限为30个工作日;个人备案可使用本省居住证。", ""),
    "34": ("主体负责人不是法定代表人时,可提交加盖公章的授权书。", ""),
    "36": ("个人备案可使用本省居住证。", ""),
    "37": ("个人备案可使用本省居住证。", ""),
    "41": ("每个备案最多5个域名;证件地址与通信地址须在同一城市。", ""),
    "44": ("所有备案均须提交互联网信息服务备案承诺书,并附网站建设方案书;网站页脚展示主体备案号。", ""),
    "45": ("个人备案仅接受本省身份证。", ""),
    "46": ("仅接受海南省核发的营业执照;主体负责人不是法定代表人时,可提交加盖公章的授权书。", ""),
    "52": ("证件地址与通信地址须在同一城市。", ""),
    "63": ("个人备案仅接受本省身份证。", ""),
    "64": ("个人备案仅接受本省身份证。", ""),
    "65": ("每个网站只能填写1个域名;个人备案仅接受本省身份证。", ""),
}


def forward(apps, schema_editor):
    Province = apps.get_model("filings", "Province")
    for code, (seeded, now) in NOTES.items():
        Province.objects.filter(code=code, notes=seeded).update(notes=now)


def backward(apps, schema_editor):
    Province = apps.get_model("filings", "Province")
    for code, (seeded, now) in NOTES.items():
        Province.objects.filter(code=code, notes=now).update(notes=seeded)


class Migration(migrations.Migration):
    dependencies = [("filings", "0006_inbox_decisions")]

    operations = [migrations.RunPython(forward, backward)]
