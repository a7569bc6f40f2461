"""Guards named in the transition tables (workflow.md "Rules that every path keeps").

Each guard gets the locked case (``None`` at submit), the action context and raises a
``DomainError`` with a Chinese message when the action may not happen now.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils import timezone

from jiuzhu.apps.registry.models import Membership
from jiuzhu.core.prepared import Prepared
from jiuzhu.rules.errors import Conflict, ValidationFailed
from jiuzhu.rules.workflow.deadlines import notice_over_on

from .models import Case, CaseDeadline, CaseRecord

# A guard refusing with one of these codes says the action does not apply to the case now (a branch not
# taken, a step done already), not that something must happen first: such an action is not listed as
# blocked (engine.action_listing, the API's ``blocked``) and no task waits for it.
NOT_APPLICABLE = set({  # programs add theirs (registry.register_not_applicable)
    "case.id_authorization_complete", "case.verification_requested", "case.verification_recorded",
    "case.opinion_not_grant", "case.opinion_not_deny", "case.opinion_deny", "case.not_sampled",
    "case.spot_check_done", "case.already_filed", "case.denial_delivered", "recheck.not_stop",
    "case.notice_over", "case.already_extended", "case.overall_not_started",
})


# Guards every action of every program runs when the actor is known (after the row's own guards), e.g.
# the staff-relative recusal of the integrity app (registry.register_actor_guard).
ACTOR_GUARDS: dict = {}


def _household_id(ctx):
    return ctx.case.household_id if ctx.case is not None else ctx.household.pk


# Read by the guards of every action listed or performed: compiled once per connection (core/prepared.py).
_RECORD_KINDS = Prepared(lambda case_id: CaseRecord.objects.filter(case_id=case_id).order_by("id")
                         .values_list("kind", flat=True), int)
_LATEST = Prepared(lambda case_id, kind: CaseRecord.objects.filter(case_id=case_id, kind=kind).order_by("-id")[:1],
                   int, str)


def record_counts(case) -> Counter:
    """How many records of each kind the case has: one query per case instance, kept on it (guards
    run for every table row when listing actions). ``ActionContext.record`` keeps it current."""
    counts = case.__dict__.get("_record_counts")
    if counts is None:
        counts = case.__dict__["_record_counts"] = Counter(_RECORD_KINDS.all(case.pk))
    return counts


def event_actions(case) -> set[str]:
    """The actions already taken on the case (one query per case instance; ``perform`` keeps it current)."""
    actions = case.__dict__.get("_event_actions")
    if actions is None:
        actions = case.__dict__["_event_actions"] = set(case.events.values_list("action", flat=True).distinct())
    return actions


def _has(ctx, kind) -> bool:
    return record_counts(ctx.case)[kind] > 0


def household_ready(ctx):
    members = Membership.objects.filter(household_id=_household_id(ctx), end_date__isnull=True)
    if not members.exists():
        raise ValidationFailed("case.household_empty", "该家庭没有在册成员，不能申请", field="household")
    if not members.filter(person_id=ctx.applicant.pk).exists():
        raise ValidationFailed("case.applicant_not_member", "申请人应为该家庭的在册成员", field="applicant")


def one_open_case(ctx):
    """One open case per household per program, and no member in another household's open case."""
    household_id = _household_id(ctx)
    if Case.objects.filter(household_id=household_id, program=ctx.program, is_open=True, kind="application") \
            .exclude(pk=getattr(ctx.case, "pk", None)).exists():
        raise Conflict("case.already_open", "该家庭已有同一项目正在办理的申请", field="household")
    no_member_in_open_case(ctx)


def _persons(ctx) -> list[int]:
    """Who the case covers: the applicant for tekun (individual support), the current members for dibao."""
    if ctx.program == "tekun":
        return [ctx.applicant.pk]
    return list(Membership.objects.filter(household_id=_household_id(ctx), end_date__isnull=True)
                .values_list("person_id", flat=True))


def _elsewhere(ctx) -> dict[int, date | None]:
    """Other households the covered persons belong or belonged to: household id → last day there
    (None = still a member). A person keeps one open membership, so a member who moved here from a
    household with an open case or a live enrollment shows up only through the ended membership."""
    out: dict[int, date | None] = {}
    rows = Membership.objects.filter(person_id__in=_persons(ctx)).exclude(household_id=_household_id(ctx)) \
        .values_list("household_id", "end_date")
    for household_id, end in rows:
        if end is None or (household_id in out and out[household_id] is None):
            out[household_id] = None
        else:
            out[household_id] = max(out.get(household_id, end), end)
    return out


def _covered_on(elsewhere: dict, household_id: int, day: date) -> bool:
    if household_id not in elsewhere:
        return False
    end = elsewhere[household_id]
    return end is None or end >= day


def no_member_in_open_case(ctx):
    others = Case.objects.filter(program=ctx.program, is_open=True, kind="application") \
        .exclude(household_id=_household_id(ctx))
    if ctx.program == "tekun":
        clash = others.filter(applicant_id=ctx.applicant.pk).exists()
    else:
        elsewhere = _elsewhere(ctx)
        clash = any(_covered_on(elsewhere, hh, timezone.localtime(at).date()) for hh, at in
                    others.filter(household_id__in=list(elsewhere)).values_list("household_id", "submitted_at"))
    if clash:
        raise Conflict("case.member_in_open_case", "家庭成员已在其他家庭的同类申请中，不能重复申请", field="household")


def id_authorization_state(case) -> tuple[bool, bool]:
    """(ID checked, authorization signed): from the intake at submit, any later 一证一书 record
    (``record_id_authorization``) or the uploaded scans (身份证件, 委托授权书)."""
    intake = _latest_on(case, "intake")
    datas = [intake.data] if intake else []
    if record_counts(case)["id_authorization"]:
        datas += case.records.filter(kind="id_authorization").values_list("data", flat=True)
    id_checked = signed = False
    for data in datas:
        id_checked = id_checked or bool(data.get("id_checked"))
        signed = signed or bool(data.get("authorization_signed"))
    if not (id_checked and signed):
        scanned = set(case.attachments.values_list("kind", flat=True))
        id_checked = id_checked or "id_card" in scanned
        signed = signed or "authorization" in scanned
    return id_checked, signed


def authorization_on_file(ctx):
    """核对 needs the applicant's 一证一书: ID checked and the authorization signed (or scanned)."""
    id_checked, signed = id_authorization_state(ctx.case)
    if not signed:
        raise Conflict("case.authorization_missing", "尚未签署委托授权书（一证一书），不能提请核对。"
                                                     "需要：登记一证一书或上传委托授权书扫描件")
    if not id_checked:
        raise Conflict("case.id_missing", "尚未核验申请人身份证件（一证一书），不能提请核对。"
                                          "需要：登记一证一书或上传身份证件扫描件")


def id_authorization_incomplete(ctx):
    """``record_id_authorization`` is for a case whose 一证一书 is not complete yet."""
    if all(id_authorization_state(ctx.case)):
        raise Conflict("case.id_authorization_complete", "一证一书已齐全，无需再登记")


def verification_done(ctx):
    if not _has(ctx, "verification"):
        raise Conflict("case.verification_missing", "尚未录入核对报告。需要：县民政（核对机构）录入家庭经济状况核对报告")


def verification_requested(ctx):
    if "request_verification" not in event_actions(ctx.case):
        raise Conflict("case.verification_not_requested", "尚未提请核对。需要：乡镇经办人先提请核对")


def verification_not_requested(ctx):
    if "request_verification" in event_actions(ctx.case):
        raise Conflict("case.verification_requested", "已提请核对，不能重复提请")


def verification_not_recorded(ctx):
    if _has(ctx, "verification"):
        raise Conflict("case.verification_recorded", "核对报告已录入")


def survey_done(ctx):
    if not _has(ctx, "survey"):
        raise Conflict("case.survey_missing", "尚未录入入户调查。需要：录入入户调查")


def _latest_on(case, kind):
    """The case's newest record of ``kind`` (kept on the case instance; ``ActionContext.record`` updates it)."""
    latest = case.__dict__.setdefault("_latest_records", {})
    if kind not in latest:
        record = _LATEST.first(case.pk, kind)
        if record is not None:
            record.case = case  # as read through ``case.records``
        latest[kind] = record
    return latest[kind]


def _latest(ctx, kind):
    return _latest_on(ctx.case, kind)


def opinion_grant(ctx):
    review = _latest(ctx, "review")
    if review is None or review.data.get("opinion") != "grant":
        raise Conflict("case.opinion_not_grant", "初审意见为拟不予批准，不公示，请报送审核确认")


def opinion_deny(ctx):
    review = _latest(ctx, "review")
    if review is None or review.data.get("opinion") != "deny":
        raise Conflict("case.opinion_not_deny", "初审意见为拟批准，须先进行 7 天公示")


def proposed_grant(ctx):
    """Only a case proposed for assistance can be approved; a proposed denial is decided by ``reject``."""
    review = _latest(ctx, "review")
    if review is not None and review.data.get("opinion") != "grant":
        raise Conflict("case.opinion_deny", "初审意见为拟不予批准，只能作出不予批准决定")


def _period_message(period, what: str, then: str) -> str:
    """"<what>未满（公示至 D），D+1 起<then>": the notice's last day and the first day after it."""
    if period is None:
        return f"{what}未满，期满后{then}"
    return f"{what}未满（公示至 {period.due.isoformat()}），{notice_over_on(period.due).isoformat()} 起{then}"


def notice_period_over(ctx):
    period = _notice_period(ctx)
    if period is None or ctx.today < notice_over_on(period.due):
        raise Conflict("case.notice_running", _period_message(period, "公示期", "方可结束公示"))


def no_open_objection(ctx):
    counts = record_counts(ctx.case)
    objections = counts["objection"]
    handled = counts["appraisal"] + counts["reinvestigation"]
    if objections > handled:
        raise Conflict("case.open_objection", "公示中有未处理的异议。需要：组织民主评议或重新调查核实")


def steps_complete(ctx):
    for kind, label in (("verification", "核对报告"), ("survey", "入户调查"), ("review", "初审意见")):
        if not _has(ctx, kind):
            raise Conflict("case.incomplete", f"{label}未完成，不能审核确认。需要：先完成{label}")
    review = _latest(ctx, "review")
    if review.data.get("opinion") == "grant" and not ctx.case.notices.filter(kind="initial").exists():
        raise Conflict("case.incomplete", "初审公示未完成，不能审核确认。需要：发布初审公示并在期满后结束公示")


def relative_home_visit(ctx):
    """R-WF-3 / WF-10: a relative-filed case needs a home visit by the confirming level; so does a case whose
    household holds a relative in the register of staff near relatives (a program's lookup)."""
    if ctx.payload is None:  # listing allowed actions: decided when the form is submitted
        return
    from .registry import lookup  # the registry imports this module

    filed = ctx.case.relative_flag or lookup("staff_relative_match", ctx.case, default=False)
    if filed and getattr(ctx.payload, "home_visit", None) is None:
        raise ValidationFailed("case.home_visit_required", "该申请已做近亲属备案，审核确认须录入入户核查情况",
                               field="home_visit")


def spot_check_sampled(ctx):
    if not ctx.case.spot_check_sampled:
        raise Conflict("case.not_sampled", "该案件未被抽中县级抽查")


def spot_check_not_done(ctx):
    if _has(ctx, "spot_check"):
        raise Conflict("case.spot_check_done", "县级抽查已录入")


def spot_check_done(ctx):
    if ctx.case.spot_check_sampled and not _has(ctx, "spot_check"):
        raise Conflict("case.spot_check_missing", "该案件被抽中县级抽查，须先录入县级入户抽查情况")


def not_filed(ctx):
    if ctx.case.filed:
        raise Conflict("case.already_filed", "已报县备案")


def denial_pending(ctx):
    if not ctx.case.deadlines.filter(step="denial_letter", status__in=[CaseDeadline.Status.OPEN,
                                                                     CaseDeadline.Status.OVERDUE]).exists():
        raise Conflict("case.denial_delivered", "不予批准决定书已送达")


def _termination(ctx) -> bool:
    """A tekun recheck whose opinion is to stop (R-TK-16 applies)."""
    return ctx.case.kind == "recheck" and ctx.case.program == "tekun" and ctx.case.decided_status == "stop"


def opinion_stop(ctx):
    if not _termination(ctx):
        raise Conflict("recheck.not_stop", "复核意见不是停止保障，无需进行拟终止公示")


def _notice_period(ctx):
    return ctx.case.deadlines.filter(step="notice_period").order_by("-id").first()


def notice_running(ctx):
    """Objections to a termination notice are taken while it runs (R-TK-16)."""
    period = _notice_period(ctx)
    if period is None or ctx.today > period.due:
        raise Conflict("case.notice_over", f"公示期已于 {period.due.isoformat() if period else '—'} 届满，"
                                           "不能再登记公示异议")


def termination_notice_over(ctx):
    """R-TK-16: a 特困 termination is decided only after its 7-day notice ran with no open objection."""
    if not _termination(ctx):
        return
    notice = ctx.case.notices.filter(kind="termination", withdrawn=False).order_by("-id").first()
    if notice is None or ctx.case.state != "termination_notice":
        raise Conflict("recheck.termination_notice_missing", "终止特困人员救助供养须先在其所在村(社区)或供养服务机构"
                                                            "公示 7 天，公示期满无异议后方可作出决定（R-TK-16）")
    period = _notice_period(ctx)
    if period is None or ctx.today < notice_over_on(period.due):
        raise Conflict("recheck.termination_notice_running",
                       _period_message(period, "拟终止特困供养公示期", "无异议方可作出终止决定"))
    no_open_objection(ctx)


def not_extended(ctx):
    if ctx.case.extended:
        raise Conflict("case.already_extended", "办理时限已延长过，不能再次延长")


def overall_started(ctx):
    deadlines = ctx.case.__dict__.get("_deadlines")  # read already for the case page (selectors.case_deadlines)
    if deadlines is not None:
        started = any(d.step == "overall" and d.status != CaseDeadline.Status.CANCELLED for d in deadlines)
    else:
        started = ctx.case.deadlines.filter(step="overall").exclude(status=CaseDeadline.Status.CANCELLED).exists()
    if not started:
        raise Conflict("case.overall_not_started", "总办理时限尚未起算，无需延长")


GUARDS = {name: fn for name, fn in globals().items()
          if callable(fn) and not name.startswith("_") and fn.__module__ == __name__}
