from django.apps import AppConfig


class LowIncomeConfig(AppConfig):
    name = "jiuzhu.apps.lowincome"
    label = "lowincome"
    verbose_name = "低收入和支出型贫困家庭认定"

    def ready(self):
        from . import steps

        steps.register()
