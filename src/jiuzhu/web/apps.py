from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiuzhu.web"
    label = "web"
    verbose_name = "界面"
