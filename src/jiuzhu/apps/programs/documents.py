"""Case documents filled from enrollments (registered with the case engine by ``ProgramsConfig.ready``):
附件9 of a recheck's decision, and the first paid month an approval's 审核确认表 (附件5) prints."""

from __future__ import annotations

from datetime import date

from jiuzhu.apps.cases.documents import _latest
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.documents import change_has_notice, notice_context
from jiuzhu.apps.enrollment.models import Certificate, Enrollment, EnrollmentChange


def adjustment(case, today: date):
    """附件9 of a recheck's decision that changed the amount or stopped (R-DM-03, R-TK-16), or None;
    dated on the decision (the change), not ``today``."""
    rec = _latest(case, "recheck_decision") if case.kind == Case.Kind.RECHECK else None
    if rec is None or not rec.data.get("change"):
        return None
    change = EnrollmentChange.objects.select_related("enrollment").filter(pk=rec.data["change"]).first()
    if change is None or not change_has_notice(change):
        return None
    return notice_context(change, today)


def enrollment_start_month(case) -> date | None:
    """The first paid month of the enrollment the case's approval created (None before one exists)."""
    enrollment = Enrollment.objects.filter(case=case).first()
    return enrollment.start_month if enrollment else None


def certificate_numbers(case) -> dict[int, str]:
    """低保证/特困证 numbers of the enrollments the case's approval created: enrollment id → number."""
    return dict(Certificate.objects.filter(enrollment__case=case).values_list("enrollment_id", "number"))
