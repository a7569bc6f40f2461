"""Initial review (rules proposal + caseworker's opinion) and confirmation (enrollment, long-term notice)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.models import Notice
from jiuzhu.apps.cases.services import first_of_next_month
from jiuzhu.apps.enrollment.certificates import certificate_issue
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Person
from jiuzhu.rules.errors import Conflict, ValidationFailed

from .proposal import propose

ELIGIBLE = {"dibao": "dibao", "tekun": "tekun"}


def single_person_proposals(result: dict) -> list[dict]:
    """单人户施保 the rules computed (R-HH-06, R-LI-02: a member with a severe disability or serious illness
    in an edge household applies alone): [{"member": person id, "amount"}], empty when none."""
    if result.get("status") != "edge":
        return []
    return [{"member": str(e["member"]), "amount": e["monthly_amount"]}
            for e in result.get("single_person_enrollments") or []]


def review_writes(ctx):
    """R-DB-03 / R-TK-*: the engine proposes; the caseworker may differ only with a written reason.
    An edge household with 单人户施保 members (R-HH-06) is proposed for just those members, each
    with the rules' amount for one person (issue 12 §3.8)."""
    case, p = ctx.case, ctx.payload
    cfg = config.region_config(case.region_id)
    proposal = propose(case, policy=cfg.policy, as_of=ctx.today)
    result = proposal["result"]
    singles = single_person_proposals(result) if case.program == "dibao" else []
    proposed_single = bool(singles)
    proposed_grant = result["status"] == ELIGIBLE[case.program] or proposed_single
    if proposed_single:
        proposed_amount = sum((Decimal(s["amount"]) for s in singles), Decimal("0.00"))
    else:
        proposed_amount = Decimal(result["monthly_amount"]) if proposed_grant else Decimal("0.00")
    proposed_class = result.get("class") or ""
    single = proposed_single if p.single_person is None else p.single_person
    if single and not proposed_single:
        raise ValidationFailed("case.single_person", "规则测算结果中没有单人户施保对象（须为低保边缘家庭中的重病重残成员）",
                               field="single_person")
    if p.opinion == "grant":
        if single and p.amount is not None and len(singles) > 1:
            raise ValidationFailed("case.single_amount", "有多名单人户施保对象时，金额按规则逐人测算，不能合并调整",
                                   field="amount")
        amount = p.amount if p.amount is not None else proposed_amount
        klass = p.klass or ("" if single else proposed_class)
        if amount <= 0:
            raise ValidationFailed("case.amount_required", "拟批准时月保障金应大于 0", field="amount")
        if single and p.amount is not None:
            singles = [{**singles[0], "amount": str(amount)}]
    else:
        amount, klass, single = Decimal("0.00"), "", False
    differs = (p.opinion == "grant") != proposed_grant or (p.opinion == "grant" and (
        amount != proposed_amount or single != proposed_single
        or (case.program == "dibao" and not single and klass != proposed_class)))
    if differs and not p.override_reason:
        raise ValidationFailed("case.override_reason", "初审意见与规则测算结果不一致，须填写调整理由",
                               field="override_reason")
    case.proposal = proposal
    case.decided_status = result["status"] if p.opinion == "grant" else "ineligible"
    case.decided_class = klass if case.program == "dibao" else ""
    case.decided_amount = amount
    ctx.record("review", {
        "opinion": p.opinion, "amount": str(amount), "klass": klass, "note": p.note,
        "override": differs, "override_reason": p.override_reason if differs else "",
        "single_persons": _named(singles) if single else [],
        "proposed": {"status": result["status"], "amount": result["monthly_amount"], "class": proposed_class,
                     "single_persons": singles if proposed_single else [],
                     "reasons": result["reasons"], "policy": proposal["policy"]},
    })


def _named(singles: list[dict]) -> list[dict]:
    names = dict(Person.objects.filter(pk__in=[int(s["member"]) for s in singles]).values_list("pk", "name"))
    return [{**s, "name": names.get(int(s["member"]), "")} for s in singles]


def _needs_guardian(case, survey: dict | None) -> bool:
    person = case.applicant
    return bool((survey and (survey.get("adl_failed") or 0) >= 4)
                or (person.disability_kind in ("intellectual", "mental") and 1 <= person.disability_grade <= 2))


def confirm_writes(ctx):
    """WF-10/11, R-DB-05: approval creates the enrollment from the 1st of next month and the long-term
    notice, which follows the enrollment. 单人户施保 (R-HH-06) enrolls each reviewed member alone:
    the person, one for the amount, the rules' amount."""
    case, p = ctx.case, ctx.payload
    if case.program == "tekun":
        survey = case.records.filter(kind="survey").order_by("-id").first()
        if p.support_mode is None:
            raise ValidationFailed("case.support_mode", "特困供养须选择供养方式（集中供养/分散供养）", field="support_mode")
        if _needs_guardian(case, survey.data if survey else None):
            if p.guardian_class is None or not p.guardian_name:
                raise ValidationFailed("case.guardian", "该特困人员生活不能自理或为智力/精神残疾，须确定监护人及监护类别",
                                       field="guardian_class" if p.guardian_class is None else "guardian_name")
            if not p.care_agreement:
                raise ValidationFailed("case.care_agreement", "须签订照料服务协议", field="care_agreement")
    if not case.decided_amount or case.decided_amount <= 0:
        raise ValidationFailed("case.amount_missing", "初审拟不予批准的案件不能批准，请选择不予批准", field="opinion")
    ctx.record("confirmation", p.model_dump(mode="json"))
    start = first_of_next_month(ctx.today)
    months = (case.proposal.get("result", {}).get("recheck_months") or 12) if case.program == "dibao" else 12
    cfg = config.region_config(case.region_id)
    for person, name, size, amount in _enrolled(case):
        enrollment = Enrollment.objects.create(
            program=case.program, household=case.household, region_id=case.region_id, case=case, person=person,
            klass=case.decided_class, amount=amount, persons=size, start_month=start,
            next_recheck=_add_months(start, months), decided_on=ctx.today)
        certificate_issue(enrollment, actor=ctx.actor, now=ctx.now)  # 低保证/特困证 (seed 二(二)5)
        Notice.objects.create(case=case, kind=Notice.Kind.LONG_TERM, program=case.program, region_id=case.region_id,
                              enrollment=enrollment, name=name, household_size=size, amount=amount,
                              objection_phone=cfg.objection_phone, starts_on=ctx.today)


def _enrolled(case) -> list[tuple]:
    """(person or None, published name, persons, amount) of each enrollment the approval creates."""
    if case.program == "tekun":
        return [(case.applicant, case.applicant.name, 1, case.decided_amount)]
    review = case.records.filter(kind="review").order_by("-id").first()
    singles = (review.data.get("single_persons") if review else None) or []
    if not singles:
        return [(None, case.applicant.name, case.household.member_count, case.decided_amount)]
    people = Person.objects.in_bulk([int(s["member"]) for s in singles])
    enrolled = set(Enrollment.objects.filter(program=case.program, status__in=Enrollment.LIVE,
                                             person_id__in=list(people)).values_list("person_id", flat=True))
    if enrolled:
        raise Conflict("case.already_enrolled", "单人户施保对象已在保，不能重复批准", field="single_person")
    return [(people[int(s["member"])], people[int(s["member"])].name, 1, Decimal(s["amount"])) for s in singles]


def _add_months(day: date, months: int) -> date:
    m = day.month - 1 + months
    return date(day.year + m // 12, m % 12 + 1, 1)
