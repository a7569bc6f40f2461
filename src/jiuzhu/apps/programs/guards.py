"""Guards that read enrollments (named in the transition tables; registered with the case engine by
``ProgramsConfig.ready``). Like the engine's own (cases/guards.py) each raises a ``DomainError``."""

from __future__ import annotations

from django.db.models import Q

from jiuzhu.apps.cases.guards import _covered_on, _elsewhere, _household_id
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Membership
from jiuzhu.rules.errors import Conflict, ValidationFailed

# 社会救助综合改革试点工作方案 二(四) 探索人户分离居民最低生活保障的申请.
SEPARATION_SOURCE = "社会救助综合改革试点工作方案 二(四)"
MOVE_HUKOU_FIRST = ("申请人经常居住地与户籍所在地不在同一乡镇（人户分离）：应将户籍迁移到居住地后，再向户籍所在地"
                    "乡镇人民政府提出申请；因特殊原因无法迁移的，请选择“向经常居住地乡镇申请”并说明原因，经社会救助"
                    f"系统查询未享受低保的，可向经常居住地乡镇人民政府提出申请（{SEPARATION_SOURCE}）")


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


def hukou_residence(ctx):
    """综合改革 plan 二(四)：申请人经常居住地与户籍所在地不一致的，应将户籍迁移到居住地后，再向户籍所在地镇人民政府
    提出申请。因特殊原因无法迁移的，通过社会救助系统查询未享受低保的，可向经常居住地镇人民政府提出申请.
    Checked at submit (dibao: the plan's rule is for 最低生活保障), townships compared by their codes."""
    payload = ctx.payload
    if payload is None or ctx.program != "dibao":
        return
    household = ctx.household
    separated = household.residence_region_id[:9] != household.region_id[:9]
    if not separated:
        if payload.residence_application:
            raise ValidationFailed("case.not_separated", "该家庭户籍所在地与经常居住地在同一乡镇，不属于人户分离，"
                                                         "请向户籍所在地乡镇申请", field="residence_application")
        return
    if not payload.residence_application:
        raise ValidationFailed("case.hukou_residence", MOVE_HUKOU_FIRST, field="residence_application",
                               source=SEPARATION_SOURCE)
    members = list(Membership.objects.filter(household_id=household.pk, end_date__isnull=True)
                   .values_list("person_id", flat=True))
    enrolled = Enrollment.objects.filter(program="dibao", status__in=Enrollment.LIVE).filter(
        Q(household_id=household.pk) | Q(person_id__in=members)
        | Q(household__memberships__person_id__in=members, household__memberships__end_date__isnull=True))
    if enrolled.exists():
        raise Conflict("case.separated_enrolled", "经社会救助系统查询，该家庭或其成员已享受最低生活保障，不能向经常居住地"
                                                  f"乡镇申请（{SEPARATION_SOURCE}）", field="residence_application")


GUARDS = {"no_active_enrollment": no_active_enrollment, "enrollment_live": enrollment_live,
          "hukou_residence": hukou_residence}
