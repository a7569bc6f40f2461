from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jiuzhu.apps.documents"
    label = "documents"
    verbose_name = "文书"
