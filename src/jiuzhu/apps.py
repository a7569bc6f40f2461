from django.apps import AppConfig


class JiuzhuConfig(AppConfig):
    """The top-level package as an app: it holds the `jiuzhu` management commands."""

    name = "jiuzhu"
    label = "jiuzhu"
    verbose_name = "救助"
