"""The twelve department data sources (jiuzhu.batch.datasets), written out so that the migration
does not change when the catalogue does; ingestion keeps the rows in step with the catalogue."""

from django.db import migrations

SOURCES = [
    ("social_insurance", "社保/养老金", "人力资源和社会保障局"),
    ("housing_fund", "住房公积金", "住房公积金管理中心"),
    ("real_estate", "不动产登记", "自然资源和规划局（不动产登记中心）"),
    ("vehicle", "机动车", "公安局交通管理部门"),
    ("market_entity", "市场主体及股东", "市场监督管理局"),
    ("tax", "税务", "税务局"),
    ("bank_deposit", "银行存款", "人民银行及各银行业金融机构"),
    ("medical_expense", "医保费用（个人自付）", "医疗保障局"),
    ("disability", "残联认定", "残疾人联合会"),
    ("hukou_death", "户籍及死亡", "公安局（户籍）、卫生健康委和民政局（死亡）"),
    ("unemployment", "失业登记", "人力资源和社会保障局（就业服务）"),
    ("student", "学籍", "教育局"),
]


def add(apps, schema_editor):
    DataSource = apps.get_model("verification", "DataSource")
    for code, name, department in SOURCES:
        DataSource.objects.update_or_create(code=code, defaults={"name": name, "department": department,
                                                                 "schema_version": 1})


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
