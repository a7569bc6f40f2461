from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "jiuzhu.apps.integrity"
    label = "integrity"
    verbose_name = "诚信管理（守信承诺、失信记录）"
