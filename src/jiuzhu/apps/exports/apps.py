from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "jiuzhu.apps.exports"
    label = "exports"
    verbose_name = "导出"

    def ready(self):
        from jiuzhu.apps.jobs.registry import register_job_kind

        from .services import EXPORT_JOB, export_job

        register_job_kind(EXPORT_JOB, export_job, label="导出 Excel", max_attempts=1)
