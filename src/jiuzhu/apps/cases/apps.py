from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.apps.cases"
    label = "cases"
    verbose_name = "审核确认"

    def ready(self):
        from jiuzhu.apps.workcalendar.services import register_reconciler

        from .calendar_sync import case_deadlines_reconcile

        register_reconciler("cases", case_deadlines_reconcile)

        from .optional_steps import register

        register()  # guards of the 年审 plan's optional steps (申请情况公示, 驻村干部, 民主听证)

        from datetime import time

        from jiuzhu.apps.jobs.registry import register_job_kind
        from jiuzhu.apps.jobs.schedule import register_schedule

        from .jobs import mark_overdue_job

        register_job_kind("cases.mark_overdue", mark_overdue_job, label="标记逾期（每日）")
        register_schedule("cases.mark_overdue", cadence="daily", at=time(1, 0))
