from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "jiuzhu.apps.integrity"
    label = "integrity"
    verbose_name = "诚信管理（守信承诺、失信记录）"

    def ready(self):
        from jiuzhu.apps.cases import registry
        from jiuzhu.apps.jobs.registry import register_job_kind

        from .relatives_import import relatives_import_job
        from .relatives_match import has_register_match, not_own_relative
        from .selfcheck import JOB_KIND, selfcheck_job

        # R-WF-03: staff never handle a case of their registered near relative; such a case needs the
        # confirming level's home visit like a declared 近亲属备案
        registry.register_actor_guard("not_own_relative", not_own_relative)
        registry.register_lookup("staff_relative_match", has_register_match)
        register_job_kind("integrity.relatives_import", relatives_import_job, label="导入工作人员近亲属", max_attempts=2)
        register_job_kind(JOB_KIND, selfcheck_job, label="自查自纠检查", max_attempts=2)
