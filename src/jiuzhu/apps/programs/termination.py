"""特困 termination on a recheck (R-TK-16, 《特困人员认定办法》第二十五至二十七条): the 7-day notice of the
proposed termination, and what the stop decision adds — the written notice (附件9) to the person with
a copy recorded as sent to the village committee, and a referral suggestion (dibao / temporary).

The table rows are in rules/workflow/recheck.py; objections and the re-investigation reuse the
application services (``record_objection``, ``reinvestigate``); the decision itself is
``recheck.decide_writes``, which calls ``decision_extras`` here. The running notices come off the
public page with ``cases.notices.withdraw_running_notices``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.documents import (
    header,  # the region names, as printed on the case's documents
)
from jiuzhu.apps.cases.models import Case, Notice
from jiuzhu.apps.documents.blocks import village_committee_name
from jiuzhu.apps.enrollment.standard import region_evaluate
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.workflow.recheck import TERMINATION_NOTICE_DAYS, termination_referral
from jiuzhu.rules.workflow.states import TEKUN_TERMINATION_GROUNDS


def is_termination(case: Case) -> bool:
    return case.kind == Case.Kind.RECHECK and case.program == "tekun" and case.decided_status == "stop"


def start_termination_notice_writes(ctx):
    """Post the 拟终止特困供养公示: name and the proposed termination only (no amount, ID or address)."""
    case = ctx.case
    ctx.record("termination_notice", ctx.payload.model_dump(mode="json"))
    cfg = config.region_config(case.region_id)
    Notice.objects.create(case=case, kind=Notice.Kind.TERMINATION, program=case.program, region_id=case.region_id,
                          name=case.applicant.name, household_size=1, amount=Decimal("0.00"),
                          objection_phone=cfg.objection_phone, starts_on=ctx.today,
                          ends_on=ctx.today + timedelta(days=TERMINATION_NOTICE_DAYS))


def _latest_notice_record(case: Case):
    return case.records.filter(kind="termination_notice").order_by("-id").first()


def decision_reason(case: Case, reason: str) -> str:
    """The reason the written notice states (R-TK-16: reasons in writing): the ground, then the text."""
    record = _latest_notice_record(case)
    if record is None:
        return reason
    ground = TEKUN_TERMINATION_GROUNDS.get(record.data.get("ground", ""), "")
    proposed = record.data.get("reason", "").rstrip("。；")
    return f"经复核，{ground}（{proposed}）。{reason}"


def village_committee(case: Case) -> str:
    return village_committee_name(header(case, case.submitted_at.date()).village)


def referral(case: Case, *, ground: str, today) -> dict:
    """Evaluate the person's facts (kept with the recheck's proposal) under dibao; the pure rule
    ``termination_referral`` turns the result into a suggestion."""
    if ground == "deceased":
        return termination_referral(ground, None)
    request = {k: v for k, v in (case.proposal.get("request") or {}).items() if k != "obligors_able"}
    if not request.get("members"):
        return termination_referral(ground, None)
    request.update(program="dibao", as_of=today.isoformat())
    try:
        result = region_evaluate(request, region_code=case.region_id, policy=case.proposal.get("policy"))
    except DomainError:
        result = None
    out = termination_referral(ground, result)
    if result is not None:
        out["evaluated"] = {"status": result["status"], "per_capita_income": result["per_capita_income"],
                            "standard": result["standard"], "policy": result["policy"], "as_of": today.isoformat()}
    return out


def decision_extras(ctx, change) -> dict:
    """What a termination decision records besides the change: the written notice and the referral."""
    case = ctx.case
    record = _latest_notice_record(case)
    ground = record.data.get("ground", "") if record else ""
    return {
        "termination": {
            "ground": ground, "notice_record": record.pk if record else None,
            "written_notice": {"document": "adjustment_notice", "change": change.pk,
                               "addressee": case.applicant.name,
                               "copies": [{"to": "village_committee", "name": village_committee(case)}],
                               "issued_on": ctx.today.isoformat()},
        },
        "referral": referral(case, ground=ground, today=ctx.today),
    }
