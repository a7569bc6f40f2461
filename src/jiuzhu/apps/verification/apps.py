from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "jiuzhu.apps.verification"
    label = "verification"
    verbose_name = "家庭经济状况核对"

    def ready(self):
        from jiuzhu.apps.jobs.registry import register_job_kind

        from .jobs import ingest_job

        register_job_kind("verification.ingest", ingest_job, label="导入部门数据", max_attempts=2)
