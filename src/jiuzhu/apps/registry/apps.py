from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jiuzhu.apps.registry"
    label = "registry"
    verbose_name = "家庭户籍登记"
