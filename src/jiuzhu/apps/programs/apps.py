from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "jiuzhu.apps.programs"
    label = "programs"
    verbose_name = "救助项目"

    def ready(self):
        from jiuzhu.apps.cases import registry

        from . import documents, figures, guards, recheck, review, temporary, termination

        registry.register_handler("initial_review", review.review_writes)
        registry.register_handler("confirm", review.confirm_writes)
        registry.register_handler("recheck_review", recheck.recheck_review_writes)
        registry.register_handler("decide", recheck.decide_writes)
        registry.register_handler("cancel", recheck.cancel_writes)
        registry.register_handler("start_termination_notice", termination.start_termination_notice_writes)
        for name, fn in guards.GUARDS.items():
            registry.register_guard(name, fn)
        registry.register_guard("verification_within_tolerance", figures.verification_within_tolerance)
        registry.register_lookup("case_figures", figures.case_figures)
        registry.register_document("adjustment_notice", documents.adjustment)
        registry.register_lookup("enrollment_start_month", documents.enrollment_start_month)
        registry.register_lookup("certificate_numbers", documents.certificate_numbers)
        for program in ("dibao", "tekun"):
            registry.register_permissions(program, submit="case.submit")
        temporary.register()
