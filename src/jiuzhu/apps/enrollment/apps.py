from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "jiuzhu.apps.enrollment"
    label = "enrollment"
    verbose_name = "在保对象"

    def ready(self):
        from datetime import time

        from jiuzhu.apps.jobs.registry import register_job_kind
        from jiuzhu.apps.jobs.schedule import register_schedule
        from jiuzhu.apps.registry.events import on_death_reported

        from .jobs import (
            graduation_end_job,
            ledger_import_job,
            notice_batch_job,
            standard_apply_job,
            standard_preview_job,
            standard_simulate_job,
        )
        from .services import enrollment_death_reported

        on_death_reported(enrollment_death_reported)  # R-DM-05: a death reported in the registry

        register_job_kind("enrollment.graduation_end", graduation_end_job, label="渐退期满停发（每日）")
        register_schedule("enrollment.graduation_end", cadence="daily", at=time(1, 30))
        register_job_kind("enrollment.ledger_import", ledger_import_job, label="导入在保对象台账", max_attempts=2)
        register_job_kind("enrollment.standard_preview", standard_preview_job, label="测算保障标准调整", max_attempts=2)
        register_job_kind("enrollment.standard_apply", standard_apply_job, label="应用保障标准调整", max_attempts=2)
        register_job_kind("enrollment.standard_simulate", standard_simulate_job, label="政策测算（不改变任何数据）",
                          max_attempts=1)
        register_job_kind("documents.notice_batch", notice_batch_job, label="批量生成调整告知书", max_attempts=2)
