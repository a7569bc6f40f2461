"""Guards that read enrollments (named in the transition tables; registered with the case engine by
``ProgramsConfig.ready``). Like the engine's own (cases/guards.py) each raises a ``DomainError``."""

from __future__ import annotations

from jiuzhu.apps.cases.guards import _covered_on, _elsewhere, _household_id
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.rules.errors import Conflict


def no_active_enrollment(ctx):
    """A household (tekun: a person) is enrolled once; a member still counted in another household's
    live dibao enrollment cannot be approved again either."""
    live = Enrollment.objects.filter(program=ctx.program, status__in=Enrollment.LIVE)
    if ctx.program == "tekun":
        if live.filter(person_id=ctx.applicant.pk).exists():
            raise Conflict("case.already_enrolled", "该特困人员已在保，不能重复批准", field="applicant")
        return
    if live.filter(household_id=_household_id(ctx), person__isnull=True).exists():
        raise Conflict("case.already_enrolled", "该家庭已在保，不能重复批准", field="household")
    elsewhere = _elsewhere(ctx)
    if any(_covered_on(elsewhere, hh, decided) for hh, decided in
           live.filter(household_id__in=list(elsewhere)).values_list("household_id", "decided_on")):
        raise Conflict("case.member_enrolled", "家庭成员仍在其他家庭的低保保障中，不能重复批准", field="household")


def enrollment_live(ctx):
    """A recheck decides on a live enrollment; one stopped meanwhile is cancelled instead."""
    enrollment = ctx.case.enrollment
    if enrollment is None or enrollment.status not in Enrollment.LIVE:
        raise Conflict("recheck.enrollment_ended", "该在保记录已停保，不能作出复核决定，请取消复核")


GUARDS = {"no_active_enrollment": no_active_enrollment, "enrollment_live": enrollment_live}
