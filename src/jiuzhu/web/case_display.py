"""Turning case rows (deadlines, events, step records, the rules proposal) into what the case
page shows, with Chinese labels. Pure: works on objects the selectors already returned."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.cases.models import Channel
from jiuzhu.apps.cases.payloads import PAYLOADS
from jiuzhu.apps.programs.review import single_person_proposals
from jiuzhu.rules.workflow.states import (
    ACTION_LABELS,
    PROGRAM_LABELS,
    REFERRAL_ROUTES,
    STATE_LABELS,
    STEP_LABELS,
)

from .case_forms import CHOICE_LABELS
from .case_trace import policy_title, trace_rows

ROLE_LABELS = dict(Role.choices)
DEADLINE_STATUS = {"open": "进行中", "met": "已完成", "overdue": "已逾期", "cancelled": "已取消"}
DECISION_LABELS = {"dibao": "符合低保条件", "tekun": "符合特困供养条件", "edge": "低保边缘家庭",
                   "ineligible": "不符合条件"}
RECORD_TITLES = {
    "intake": ("submit", "申请（一证一书及申报）"),
    "id_authorization": ("record_id_authorization", "一证一书（补登）"), "verification_request": ("request_verification", "提请核对"),
    "verification": ("record_verification", "家庭经济状况核对报告"),
    "ineligible_notice": ("notify_ineligible", "核对不符告知"),
    "verification_objection": ("object", "对核对结果的异议"),
    "materials_request": ("request_materials", "一次性告知补正材料"), "acceptance": ("accept", "受理"),
    "non_acceptance": ("refuse_acceptance", "不予受理"),
    "survey": ("record_survey", "入户调查"), "review": ("initial_review", "初审意见"),
    "objection": ("record_objection", "公示异议"), "appraisal": ("hold_appraisal", "民主评议"),
    "reinvestigation": ("reinvestigate", "重新调查核实"), "spot_check": ("record_spot_check", "县级抽查入户"),
    "confirmation": ("confirm", "审核确认"), "rejection": ("reject", "不予批准"),
    "denial_delivery": ("deliver_denial", "不予批准决定书送达"),
    "withdrawal": ("withdraw", "撤回申请"), "termination": ("terminate", "终止审核"),
    "extension": ("extend", "延长办理时限"),
    "termination_notice": ("start_termination_notice", "拟终止特困供养公示"),
    "recheck_review": ("recheck_review", "复核意见"), "recheck_decision": ("decide", "复核决定"),
    "recheck_cancel": ("cancel", "取消复核"),
    "application_objection": ("record_application_objection", "申请情况公示异议"),
    "hearing": ("hold_hearing", "民主听证"),
}
REVIEW_TITLES = {"opinion": "初审意见", "amount": "月保障金(元)", "klass": "分类", "note": "初审说明",
                 "override": "与规则测算结果不同", "override_reason": "调整理由"}
EXTRA_TITLES = {"channel": "申请渠道", "resident_cadres": "其中驻村干部(账号)"}
CHANNEL_LABELS = dict(Channel.choices)
NOTICE_KINDS = {"initial": "初审公示", "long_term": "审核确认长期公示", "termination": "拟终止特困供养公示",
                "application": "申请情况公示"}


def deadline_rows(deadlines, today: date) -> list[dict]:
    rows = []
    for d in deadlines:
        # A notice period is a waiting time, not a duty: it is never "late" (not supervised).
        late_now = d.status == "overdue" or (d.status == "open" and d.due < today)
        rows.append({"step": STEP_LABELS.get(d.step, d.step), "due": d.due, "status": DEADLINE_STATUS.get(d.status, d.status),
                     "late": d.supervised and (d.late or late_now), "rule": d.rule_id,
                     "open": d.status in ("open", "overdue"),
                     "provisional": d.provisional and d.status in ("open", "overdue"),
                     "unit": "个工作日" if d.unit == "wd" else "天", "amount": d.amount})
    return rows


def staff_name(event) -> str:
    """Who did it, as people read it: full name and post (the username only when the user has neither)."""
    if event.actor_id is None:
        return "系统" if event.actor_name in ("", "system") else event.actor_name
    return event.actor.staff_label


def timeline_rows(events) -> list[dict]:
    return [{"at": timezone.localtime(e.at), "label": ACTION_LABELS.get(e.action, e.action), "actor": staff_name(e),
             "role": ROLE_LABELS.get(e.role, e.role), "from": STATE_LABELS.get(e.from_state, e.from_state),
             "to": STATE_LABELS.get(e.to_state, e.to_state), "reason": e.reason} for e in events]


def _titles(action: str) -> dict:
    model = PAYLOADS.get(action)
    return {n: (f.title or n) for n, f in model.model_fields.items()} if model else {}


LITERAL_FIELDS = frozenset({"item", "conclusion", "opinion", "klass", "outcome", "support_mode", "guardian_class",
                            "reason_code", "method", "graduation_reason", "ground", "reported_by", "place"})


def _text(value, key: str = "") -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    if key in LITERAL_FIELDS:
        return CHOICE_LABELS.get(str(value), str(value))
    return str(value)


def _pairs(data: dict, titles: dict, skip=()) -> list[tuple[str, str]]:
    out = []
    for key, value in data.items():
        if key in skip or value in ("", None, []):
            continue
        if key == "channel":
            text = CHANNEL_LABELS.get(value, value)
        elif key == "relatives":
            text = "；".join(f"{r.get('member')}与{r.get('staff_name')}（{r.get('staff_position')}）系{r.get('relation')}"
                            for r in value)
        elif isinstance(value, dict):  # a nested form (入户核查): its own titles
            sub = _titles_of_nested(key)
            text = "；".join(f"{sub.get(k, k)}：{_text(v, k)}" for k, v in value.items() if v not in ("", None, []))
        else:
            text = _text(value, key)
        out.append((titles.get(key, EXTRA_TITLES.get(key, key)), text))
    return out


def _termination_pairs(data: dict) -> list[tuple[str, str]]:
    """A 特困 termination decision (R-TK-16): who got the written notice, and the referral suggestion."""
    out = []
    written = (data.get("termination") or {}).get("written_notice")
    if written:
        copies = "、".join(c.get("name", "") for c in written.get("copies", []))
        out.append(("书面告知", f"调整(停发)告知书送达{written.get('addressee', '')}；抄送{copies}"))
    referral = data.get("referral")
    if referral:
        route = REFERRAL_ROUTES.get(referral.get("route", ""), "")
        out.append(("建议转介", f"{route}（{referral.get('basis', '')}）" if referral.get("suggested")
                    else f"无（{referral.get('basis', '')}）"))
    return out


def _titles_of_nested(key: str) -> dict:
    for model in PAYLOADS.values():
        info = model.model_fields.get(key)
        inner = getattr(info, "annotation", None)
        for arg in getattr(inner, "__args__", (inner,)):
            fields = getattr(arg, "model_fields", None)
            if fields:
                return {n: (f.title or n) for n, f in fields.items()}
    return {}


def record_rows(records, member_names: dict) -> list[dict]:
    """Each step's record: title, who and when, label/value pairs, and special parts (items, photos)."""
    out = []
    for r in records:
        action, title = RECORD_TITLES.get(r.kind, ("", r.kind))
        data = dict(r.data or {})
        entry = {"kind": r.kind, "title": title, "at": timezone.localtime(r.event.at), "actor": staff_name(r.event),
                 "items": [], "photos": []}
        if r.kind == "recheck_review":
            titles = {**_titles(action), "graduation_months": "渐退期(月)", "override": "与规则测算结果不同"}
            entry["pairs"] = _pairs(data, titles, skip=("proposed",) + (() if data.get("override") else ("override",)))
        elif r.kind == "recheck_decision":
            entry["pairs"] = _pairs(data, {**_titles(action), "effective_month": "生效月份"},
                                    skip=("change", "termination", "referral")) + _termination_pairs(data)
        elif r.kind == "review":
            entry["pairs"] = _pairs(data, REVIEW_TITLES, skip=("proposed", "single_persons") + (
                () if data.get("override") else ("override",)))
            if data.get("single_persons"):  # 单人户施保 (R-HH-06): who is enrolled alone, for how much
                entry["pairs"].append(("单人户施保", "；".join(f"{s.get('name') or '成员 ' + str(s['member'])} "
                                                           f"{s['amount']} 元" for s in data["single_persons"])))
        elif r.kind == "verification":
            entry["items"] = [{"member": member_names.get(int(i["member"]), f"成员 {i['member']}"),
                               "source": i["source"], "item": CHOICE_LABELS.get(i["item"], i["item"]),
                               "amount": i["amount"], "as_of": i["as_of"]} for i in data.get("items", [])]
            entry["pairs"] = _pairs(data, _titles(action), skip=("items",))
        elif r.kind == "hearing":  # 年审 plan 三(2)五: the five steps, who attended and signed, the sheet
            titles = {**_titles(action), "signed_sheet_name": "签字确认表", "reasons": "听证原因"}
            entry["pairs"] = _pairs(data, titles, skip=("attendees", "signed_sheet", "reasons")) + [
                ("听证原因", "；".join(data.get("reasons", [])) or "—"),
                ("参加人员", "；".join(f"{a.get('name')}（{a.get('capacity')}，{'已签字' if a.get('signed') else '未签字'}）"
                                    for a in data.get("attendees", [])))]
        elif r.kind == "survey":
            entry["photos"] = [int(p) for p in data.get("photos", [])]
            entry["pairs"] = _pairs(data, _titles(action), skip=("photos",))
        else:
            entry["pairs"] = _pairs(data, _titles(action))
        out.append(entry)
    return out


def proposal_view(proposal: dict, names: dict | None = None) -> dict | None:
    """The rules engine's proposal (after initial review) with its trace: rule, step, value; and the
    单人户施保 members of an edge household (R-HH-06) with their amounts (``names``: person id → name)."""
    if not proposal or not proposal.get("result"):
        return None
    result = proposal["result"]
    names = names or {}
    singles = [{"name": names.get(int(s["member"]), f"成员 {s['member']}") if str(s["member"]).isdigit()
                else s["member"], "amount": s["amount"]} for s in single_person_proposals(result)]
    return {"policy": policy_title(proposal.get("policy", "")) if proposal.get("policy") else "",
            "as_of": proposal.get("as_of", ""),
            "status": DECISION_LABELS.get(result.get("status"), result.get("status")),
            "amount": result.get("monthly_amount"), "klass": result.get("class") or "",
            "standard": result.get("standard"), "per_capita_income": result.get("per_capita_income"),
            "household_size": result.get("household_size"),
            "trace": trace_rows(result.get("trace", []), names, policy=proposal.get("policy", ""),
                                as_of=proposal.get("as_of", "")),
            "single_persons": singles}


def notice_rows(notices) -> list[dict]:
    return [{"kind": NOTICE_KINDS.get(n.kind, n.kind), "starts_on": n.starts_on, "ends_on": n.ends_on,
             "name": n.name, "size": n.household_size, "amount": None if n.kind == "application" else n.amount,
             "withdrawn": n.withdrawn,
             "phone": n.objection_phone} for n in notices]


def program_label(program: str) -> str:
    return PROGRAM_LABELS.get(program, program)
