from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "jiuzhu.apps.integrity"
    label = "integrity"
    verbose_name = "诚信管理（守信承诺、失信记录）"

    def ready(self):
        from jiuzhu.apps.jobs.registry import register_job_kind

        from .selfcheck import JOB_KIND, selfcheck_job

        register_job_kind(JOB_KIND, selfcheck_job, label="自查自纠检查", max_attempts=2)
