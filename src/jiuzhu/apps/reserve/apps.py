from django.apps import AppConfig


class ReserveConfig(AppConfig):
    name = "jiuzhu.apps.reserve"
    label = "reserve"
    verbose_name = "临时救助备用金"
