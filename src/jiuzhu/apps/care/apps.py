from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "jiuzhu.apps.care"
    label = "care"
    verbose_name = "特困人员监护照护"
