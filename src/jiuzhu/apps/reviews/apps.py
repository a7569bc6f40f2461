from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "jiuzhu.apps.reviews"
    label = "reviews"
    verbose_name = "年审"
