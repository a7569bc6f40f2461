from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "jiuzhu.apps.reviews"
    label = "reviews"
    verbose_name = "年审"

    def ready(self):
        from jiuzhu.apps.jobs.registry import register_job_kind

        from .jobs import start_job

        register_job_kind("reviews.start", start_job, label="启动年审", max_attempts=2)
