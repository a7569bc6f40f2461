from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "jiuzhu.apps.verification"
    label = "verification"
    verbose_name = "家庭经济状况核对"

    def ready(self):
        from jiuzhu.apps.cases.registry import register_lookup
        from jiuzhu.apps.jobs.registry import register_job_kind

        from .archive import case_report_pdf
        from .jobs import ingest_job

        register_lookup("verification_report_pdf", case_report_pdf)  # the 核对 report in the 一人一档 ZIP
        register_job_kind("verification.ingest", ingest_job, label="导入部门数据", max_attempts=2)
