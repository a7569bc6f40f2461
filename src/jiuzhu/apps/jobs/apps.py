from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jiuzhu.apps.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        from .diagnostics import sleep_job
        from .registry import register_job_kind

        register_job_kind("jobs.sleep", sleep_job, label="诊断任务（等待）", max_attempts=3)
