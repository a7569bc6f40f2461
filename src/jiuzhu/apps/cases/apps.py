from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.apps.cases"
    label = "cases"
    verbose_name = "审核确认"
