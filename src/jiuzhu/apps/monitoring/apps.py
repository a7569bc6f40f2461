from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jiuzhu.apps.monitoring"
    label = "monitoring"
    verbose_name = "低收入人口动态监测"
