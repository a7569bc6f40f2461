from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "jiuzhu.apps.payments"
    label = "payments"
    verbose_name = "社会化发放"

    def ready(self):
        from datetime import time

        from jiuzhu.apps.jobs.registry import register_job_kind
        from jiuzhu.apps.jobs.schedule import register_schedule

        from .jobs import payroll_reminder_job, prepare_job

        register_job_kind("payroll.prepare", prepare_job, label="生成发放批次", max_attempts=2)
        register_job_kind("payments.payroll_reminder", payroll_reminder_job, label="发放提醒（每月）")
        register_schedule("payments.payroll_reminder", cadence="monthly", day=20, at=time(8, 0))
