from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "jiuzhu.apps.payments"
    label = "payments"
    verbose_name = "社会化发放"
