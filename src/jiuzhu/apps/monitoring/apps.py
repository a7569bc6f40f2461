from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jiuzhu.apps.monitoring"
    label = "monitoring"
    verbose_name = "低收入人口动态监测"

    def ready(self):
        from jiuzhu.apps.workcalendar.services import register_reconciler

        from .calendar_sync import alert_deadlines_reconcile

        register_reconciler("monitoring", alert_deadlines_reconcile)

        from jiuzhu.apps.jobs.registry import register_job_kind

        from .jobs import register_import_job, scan_job

        register_job_kind("monitoring.scan", scan_job, label="监测扫描", max_attempts=2)
        register_job_kind("monitoring.register_import", register_import_job, label="导入低收入人口登记", max_attempts=2)
