from datetime import time

from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "jiuzhu.apps.backup"
    label = "backup"
    verbose_name = "备份与审计锚点"

    def ready(self):
        from jiuzhu.apps.jobs.registry import register_job_kind
        from jiuzhu.apps.jobs.schedule import register_schedule

        from .jobs import ANCHOR, VERIFY, anchor_job, verify_job

        register_job_kind(ANCHOR, anchor_job, label="签署审计链头锚点（每日）", max_attempts=3)
        register_job_kind(VERIFY, verify_job, label="校验审计日志哈希链", max_attempts=1)
        register_schedule(ANCHOR, cadence="daily", at=time(3, 0))
