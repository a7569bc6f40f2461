"""临时救助's document list (issue 14 §5), registered with the case engine by ``temporary.register``: a
temporary case offers these instead of 附件1–9, each once its step is recorded and dated on that step:

* 临时救助申请审批表 — after the decision (approval or refusal, or for 急难型 the completed 补办), dated
  on it: application, 核对/调查/公示, approval level (R-TA-03/05) with the limits, amount, stages and
  payments (R-TA-06);
* 先行救助登记表 — after 先行救助 (R-TA-03), dated on the payment: reason, amount, recipient, who paid;
* 转介函 — after an approval whose modality is referral (R-TA-06), dated on the approval.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jiuzhu.apps.cases.documents import _age, _event_day, _latest, header, staff_name, submitted_on
from jiuzhu.apps.documents import contexts as c
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.registry.choices import Sex
from jiuzhu.rules.workflow.temporary import KINDS

from .temporary_payloads import CATEGORIES, MODALITIES

LEVELS = {"township": "乡镇审批", "county": "县级审批", "council": "一事一议（县级）"}
WAITING = {
    "ta_approval_form": "作出审批决定（急难型：补办完成）后可生成",
    "ta_advance_register": "登记先行救助发放后可生成",
    "ta_referral_letter": "审批确定转介服务后可生成",
}
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _on(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def person(case, on: date) -> c.TaPerson:
    p, hh = case.applicant, case.household
    return c.TaPerson(name=p.name, id_number_masked=p.id_number_masked or "", sex=Sex(p.sex).label if p.sex else "",
                      age=_age(p.birth_date, on) if p.birth_date else None, address=hh.address or "",
                      household_size=hh.member_count or 0, area_type="城市" if hh.area_type == "urban" else "农村",
                      phone_masked=p.phone_masked or "")


def hardship(case) -> c.TaHardship:
    d = (_latest(case, "ta_intake").data if _latest(case, "ta_intake") else {})
    place = ""
    if d.get("place_region"):
        place = Region.objects.filter(code=d["place_region"]).values_list("name", flat=True).first() or ""
    return c.TaHardship(kind_label=KINDS.get(case.kind, case.kind), category=CATEGORIES.get(d.get("category", ""), ""),
                        circumstance=d.get("circumstance", ""), occurred_on=_on(d.get("occurred_on")) or submitted_on(case),
                        place=place, need=_money(d.get("need") or 0), application_date=submitted_on(case))


def _items(data) -> list[c.TaItem]:
    return [c.TaItem(i["name"], _money(i["value"])) for i in data.get("items") or []]


def _advance_payment(rec) -> c.TaPayment:
    d = rec.data
    return c.TaPayment("先行救助", _money(d["amount"]), _event_day(rec), MODALITIES.get(d["modality"], d["modality"]),
                       d.get("recipient", ""), d.get("receipt_number", ""), staff_name(rec.event),
                       bool(d.get("from_reserve")))


def payments(case) -> list[c.TaPayment]:
    """先行救助 and every stage paid, in order."""
    out = []
    advance = _latest(case, "ta_advance")
    if advance is not None:
        out.append(_advance_payment(advance))
    for rec in case.records.filter(kind="ta_payment").select_related("event__actor").order_by("id"):
        d = rec.data
        out.append(c.TaPayment(f"第{d['stage']}期（共{d['of']}期）", _money(d["amount"]),
                               _on(d.get("paid_on")) or _event_day(rec), MODALITIES.get(d["modality"], d["modality"]),
                               d.get("recipient", ""), d.get("receipt_number", ""), staff_name(rec.event),
                               bool(d.get("from_reserve"))))
    return out


def steps(case) -> list[c.TaStep]:
    ver, sur, notice = (_latest(case, k) for k in ("ta_verification", "ta_survey", "ta_notice"))
    out = [c.TaStep("家庭经济状况核对", None, "—"), c.TaStep("入户调查", None, "—"), c.TaStep("公示", None, "—")]
    if ver is not None:
        d = ver.data
        out[0] = c.TaStep(out[0].label, _on(d.get("verified_on")),
                          f"家庭月人均收入 {_money(d['income_per_capita'])} 元；家庭财产"
                          f"{'符合' if d.get('assets_within_limits') else '不符合'}本地区规定"
                          + (f"；{d['note']}" if d.get("note") else ""))
    if sur is not None:
        d = sur.data
        out[1] = c.TaStep(out[1].label, _on(d.get("surveyed_on")),
                          f"调查人员：{'、'.join(d.get('investigators', []))}；{d.get('findings', '')}")
    if notice is not None:
        d = notice.data
        out[2] = c.TaStep(out[2].label, _on(d.get("starts_on")) or _event_day(notice),
                          f"免于公示：{d.get('exempt_reason', '')}" if d.get("exempt") else "已公示")
    return out


def _decision_record(case):
    """The record the approval form documents: the approval or refusal, else (急难型) the completed 补办."""
    found = [r for r in (_latest(case, k) for k in ("ta_decision", "ta_rejection", "ta_follow_up")) if r is not None]
    return max(found, key=lambda r: r.pk) if found else None


def approval_form(case, h: c.Header) -> c.TaApprovalFormContext | None:
    rec = _decision_record(case)
    if rec is None:
        return None
    d, paid = rec.data, payments(case)
    request = _latest(case, "ta_county_request")
    township_opinion = (f"拟救助 {_money(request.data['amount'])} 元，超过乡镇审批额度，报县级审批"
                        + (f"；{request.data['note']}" if request.data.get("note") else "")) if request else ""
    common: dict[str, Any] = dict(header=replace(h, doc_date=_event_day(rec)), person=person(case, h.doc_date), hardship=hardship(case),
                  steps=steps(case), approver=staff_name(rec.event), decided_on=_event_day(rec), payments=paid,
                  paid_total=sum((p.amount for p in paid), Decimal("0.00")))
    if rec.kind == "ta_decision":
        council = ""
        if d.get("meeting_on"):
            council = f"{d['meeting_on']} 会议，参会：{'、'.join(d.get('attendees', []))}；纪要：{d.get('minutes', '')}"
        return c.TaApprovalFormContext(
            **common, township_opinion=township_opinion or d.get("note", ""), decision="同意救助",
            level=LEVELS.get(d.get("level", ""), ""), amount=_money(d["amount"]),
            modality=MODALITIES.get(d.get("modality", ""), ""), stages=[_money(s) for s in d.get("stages") or []],
            township_limit=_money(d["township_limit"]) if d.get("township_limit") else None,
            county_cap=_money(d["county_cap"]) if d.get("county_cap") else None, opinion=d.get("note", ""),
            council=council, referral_to=d.get("referral_to", ""), items=_items(d))
    if rec.kind == "ta_rejection":
        return c.TaApprovalFormContext(
            **common, township_opinion=township_opinion, decision="不予救助", level="", amount=None, modality="",
            stages=[], township_limit=None, county_cap=None, opinion=d.get("reason", ""))
    advance = _latest(case, "ta_advance")  # 急难型: 先行救助 by the township, 补办 completed (R-TA-03)
    amount = _money(advance.data["amount"]) if advance else None
    return c.TaApprovalFormContext(
        **common, township_opinion="先行救助，事后补办核对、调查和公示", decision="先行救助，补办完成",
        level="乡镇先行救助", amount=amount, modality=MODALITIES.get(advance.data["modality"], "") if advance else "",
        stages=[], township_limit=None, county_cap=None, opinion=d.get("note", ""),
        items=_items(advance.data) if advance else [])


def advance_register(case, h: c.Header) -> c.TaAdvanceRegisterContext | None:
    rec = _latest(case, "ta_advance")
    if rec is None:
        return None
    due = case.deadlines.filter(step="follow_up").values_list("due", flat=True).first()
    return c.TaAdvanceRegisterContext(replace(h, doc_date=_event_day(rec)), person(case, h.doc_date), hardship(case),
                                      _advance_payment(rec), rec.data.get("reason", ""), _items(rec.data), due)


def referral_letter(case, h: c.Header) -> c.TaReferralLetterContext | None:
    rec = _latest(case, "ta_decision")
    if rec is None or rec.data.get("modality") != "referral":
        return None
    on = _event_day(rec)
    return c.TaReferralLetterContext(
        replace(h, doc_date=on), person(case, h.doc_date), hardship(case),
        letter_number=f"{h.township}临救转字〔{timezone.localtime(rec.event.at):%Y}〕{case.pk}号",
        referral_to=rec.data.get("referral_to", ""), request=rec.data.get("note") or "请按职责给予相应救助或帮扶",
        issuer=h.township_gov, contact=staff_name(rec.event))


BUILDERS = {"ta_approval_form": approval_form, "ta_advance_register": advance_register,
            "ta_referral_letter": referral_letter}


def build(case, today: date) -> dict[str, object]:
    """The temporary case's documents available now, each dated on the event it records (not ``today``)."""
    h = header(case, submitted_on(case))
    out: dict[str, object] = {}
    for kind, fn in BUILDERS.items():
        doc = fn(case, h)
        if doc is not None:
            out[kind] = doc
    return out
