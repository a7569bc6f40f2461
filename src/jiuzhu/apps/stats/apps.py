from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "jiuzhu.apps.stats"
    label = "stats"
    verbose_name = "统计"

    def ready(self):
        from .jobs import register

        register()
