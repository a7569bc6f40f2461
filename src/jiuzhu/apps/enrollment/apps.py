from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "jiuzhu.apps.enrollment"
    label = "enrollment"
    verbose_name = "在保对象"
