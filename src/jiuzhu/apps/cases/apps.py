from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.apps.cases"
    label = "cases"
    verbose_name = "审核确认"

    def ready(self):
        from jiuzhu.apps.workcalendar.services import register_reconciler

        from .calendar_sync import case_deadlines_reconcile

        register_reconciler("cases", case_deadlines_reconcile)
