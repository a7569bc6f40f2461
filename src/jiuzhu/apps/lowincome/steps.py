"""The recognition's own steps on the case engine (rules/workflow/lowincome.py): the township's
认定意见 (``assess_lowincome``) and the decision (``recognize``), their payloads and guard, registered
with ``jiuzhu.apps.cases`` from ``LowIncomeConfig.ready``. The other steps (核对, 受理, 入户调查, 公示,
不予认定) are the engine's own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q
from pydantic import Field

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases import config, payloads, registry, services
from jiuzhu.apps.cases.engine import perform
from jiuzhu.apps.cases.guards import _latest
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.standard import region_evaluate, region_policy
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.programs.proposal import rules_request
from jiuzhu.rules import lowincome as rules
from jiuzhu.rules.errors import Conflict
from jiuzhu.rules.policy_params import optional_entry
from jiuzhu.rules.workflow.states import PROGRAM_LABELS


class AssessPayload(payloads.Payload):
    """认定意见: the township's figures come from 核对 and the survey; 刚性支出 of the 12 months before the
    application (R-LI-04) is entered here, by item, from the receipts."""

    medical: Decimal | None = Field(None, title="近12个月医疗自付支出(元)", ge=0, le=Decimal("999999999"),
                                    max_digits=12, decimal_places=2)
    education: Decimal | None = Field(None, title="近12个月教育支出(元)", ge=0, le=Decimal("999999999"),
                                      max_digits=12, decimal_places=2)
    rehabilitation: Decimal | None = Field(None, title="近12个月康复自付支出(元)", ge=0, le=Decimal("999999999"),
                                           max_digits=12, decimal_places=2)
    living: Decimal | None = Field(None, title="近12个月基本生活刚性支出(元)", ge=0, le=Decimal("999999999"),
                                   max_digits=12, decimal_places=2)
    other: Decimal | None = Field(None, title="近12个月其他经认定的刚性支出(元)", ge=0, le=Decimal("999999999"),
                                  max_digits=12, decimal_places=2)
    note: str = Field("", title="备注", max_length=500)


class RecognizePayload(payloads.Payload):
    note: str = Field("", title="认定说明", max_length=500)


def _covered_by(case) -> str:
    live = (Enrollment.objects.filter(household_id=case.household_id, status__in=Enrollment.LIVE)
            .values_list("program", flat=True).first())
    return PROGRAM_LABELS.get(live, live) if live else ""


def assess_writes(ctx):
    """提出认定意见: evaluate the verified figures as dibao (the edge line ``edge.multiplier`` × standard and
    the asset rules), then, when 刚性支出 is entered and the household is not an edge one, as
    ``rigid_expenditure`` (the province's rules); keep both results and the opinion as the review."""
    case, p = ctx.case, ctx.payload
    request = rules_request(case, ctx.today)
    request["program"] = "dibao"
    dibao = region_evaluate(request, region_code=case.region_id)
    expenditure = {k: str(getattr(p, k)) for k in rules.EXPENDITURE_ITEMS if getattr(p, k)}
    rigid = None
    if expenditure and dibao["status"] not in ("dibao", "edge"):
        rigid = region_evaluate({**request, "program": "rigid_expenditure",
                                 "rigid": {"current_status": "none", "expenditure": expenditure}},
                                region_code=case.region_id)
    op = rules.opinion(dibao, rigid, _covered_by(case))
    # the figures the documents print (附件2/4/5, programs.figures) come from this evaluation
    case.proposal = {"policy": config.region_config(case.region_id).policy, "as_of": ctx.today.isoformat(),
                     "request": request, "result": dibao}
    ctx.record("review", {
        "opinion": "grant" if op.grant else "deny", "amount": "0.00", "category": op.category,
        "reasons": list(op.reasons),
        "summary": op.summary, "expenditure": expenditure, "note": p.note,
        "per_capita_income": dibao["per_capita_income"], "standard": dibao["standard"], "status": dibao["status"],
        "trace": dibao["trace"] + (rigid["trace"] if rigid else []),
        "rigid": rigid.get("rigid_expenditure") if rigid else None,
    })


def validity_months(region_code: str, category: str, on: date) -> tuple[int, str]:
    """The region's dated validity (``edge.validity_months`` / ``rigid.validity_months``), else 12 (R-LI-05)."""
    key = "rigid.validity_months" if category == "rigid_expenditure" else "edge.validity_months"
    entry = optional_entry(region_policy(region_code), key, on)
    if entry is None:
        return rules.DEFAULT_VALIDITY_MONTHS, "R-LI-05（最长12个月）"
    return int(entry.value), entry.source


def lowinc_recognizable(ctx):
    review = _latest(ctx, "review")
    if review is None or review.data.get("opinion") != "grant" or not review.data.get("category"):
        raise Conflict("lowinc.not_recognizable", "认定意见为不符合条件，只能作出不予认定决定")


def recognize_writes(ctx):
    """作出认定: the register entry (台账) is the output — a new one, or the household's live entry of the
    same category renewed from today for the region's validity period."""
    case = ctx.case
    review = _latest(ctx, "review")
    category = review.data["category"]
    months, source = validity_months(case.region_id, category, ctx.today)
    until = rules.valid_until(ctx.today, months)
    note = f"认定（{case.number}）：{review.data.get('summary', '')}"[:300]
    live = (LowIncomeEntry.objects.select_for_update()
            .filter(household_id=case.household_id, category=category, removed_on__isnull=True)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=ctx.today) | Q(recognized_on=ctx.today))
            .order_by("-id").first())
    before = None
    if live is None:
        entry = LowIncomeEntry.objects.create(
            household_id=case.household_id, region_id=case.household.region_id, category=category,
            recognized_on=ctx.today, valid_until=until, note=note, created_by=ctx.actor, created_at=ctx.now,
            source_case=case)
    else:
        entry, before = live, {"valid_until": live.valid_until.isoformat() if live.valid_until else None}
        entry.valid_until, entry.note, entry.source_case = until, note, case
        entry.save(update_fields=["valid_until", "note", "source_case"])
    ctx.record("recognition", {"entry": entry.pk, "category": category, "valid_until": until.isoformat(),
                               "validity_months": months, "validity_source": source, "note": ctx.payload.note})
    audit_record(actor=ctx.actor, action="lowincome.recognize", subject_type="lowincome_entry", subject_id=entry.pk,
                 region_code=entry.region_id, before=before,
                 after={"category": category, "valid_until": until.isoformat(), "case": case.pk}, at=ctx.now)


def _service(action, handler):
    def service(*, actor, case_id, payload: dict | None = None, now, version: int | None = None):
        return perform(actor=actor, case_id=case_id, action=action, payload=payload, now=now, version=version,
                       handler=handler)
    service.__name__ = f"case_{action}"
    return service


def register():
    payloads.PAYLOADS["assess_lowincome"] = AssessPayload
    payloads.PAYLOADS["recognize"] = RecognizePayload
    services.SERVICES["assess_lowincome"] = _service("assess_lowincome", assess_writes)
    services.SERVICES["recognize"] = _service("recognize", recognize_writes)
    registry.register_guard("lowinc_recognizable", lowinc_recognizable)
