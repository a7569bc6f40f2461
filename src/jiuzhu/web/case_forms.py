"""Case action forms built from the payload models (apps/cases/payloads.py): one field per model
field, labelled with its ``title``. Parsing turns the POST into the plain dict the service
validates; errors come back from the service (``details["field"]`` is the field's path, e.g.
``items[0].amount`` or ``home_visit.date``) and are shown next to that field. No validation here.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from jiuzhu.apps.cases.payloads import PAYLOADS
from jiuzhu.rules.workflow.states import (
    EXTEND_REASONS,
    GRADUATION_REASONS,
    OBJECTION_CONCLUSIONS,
    RECHECK_OUTCOMES,
    TEKUN_TERMINATION_GROUNDS,
    TERMINATE_REASONS,
    TERMINATION_NOTICE_PLACES,
    TERMINATION_REPORTERS,
)

CHOICE_LABELS = {
    "wage": "工资性收入", "business": "经营净收入", "property": "财产净收入", "transfer": "转移净收入",
    "social_insurance": "个人缴纳社会保险费", "income_tax": "个人所得税", "medical_extra": "自付医疗费用",
    "financial": "金融资产", "vehicle": "机动车辆", "residential_property": "住房",
    "business_capital": "经营主体注册资本",
    "consistent": "与申报一致", "inconsistent": "与申报不符",
    "grant": "拟批准", "deny": "拟不予批准",
    "A": "A类", "B": "B类", "C": "C类", "D": "D类",
    "eligible": "符合条件", "ineligible": "不符合条件",
    "centralized": "集中供养", "dispersed": "分散供养",
    "I": "Ⅰ类", "II": "Ⅱ类", "III": "Ⅲ类",
    "further_investigation": "需进一步调查核实",
    "in_person": "当面送达", "mail": "邮寄送达", "village": "由村(居)委会转交",
    **TERMINATE_REASONS, **EXTEND_REASONS, **RECHECK_OUTCOMES, **GRADUATION_REASONS,
    **TEKUN_TERMINATION_GROUNDS, **TERMINATION_REPORTERS, **TERMINATION_NOTICE_PLACES, **OBJECTION_CONCLUSIONS,
}
# Fields only a tekun (特困) case uses: hidden on dibao forms (they are optional in the payloads).
TEKUN_ONLY = frozenset({"adl_failed", "obligors_able", "obligor_notes", "support_mode", "guardian_class",
                        "guardian_name", "care_agreement"})
# Lists of people: split on newlines and on 、，, — other lists (materials, reasons) only on newlines.
PEOPLE_LISTS = frozenset({"investigators", "members_present", "visitors", "investigator_accounts"})
HELP = {  # (payload model, field) → hint under the input
    ("ReviewPayload", "amount"): "留空则采用规则测算的金额；与测算结果不同时须填写调整理由",
    ("ReviewPayload", "klass"): "留空则采用规则测算的分类",
    ("ReviewPayload", "single_person"): "留空则按规则测算：低保边缘家庭中的重病重残成员单人户施保（只纳入该成员）",
    ("ConfirmPayload", "home_visit"): "已做近亲属备案的申请，审核确认须录入入户核查情况",
    ("RecheckReviewPayload", "amount"): "调整时留空则采用规则测算的金额；与测算结果不同时须填写调整理由",
    ("RecheckReviewPayload", "graduation_reason"): "选择渐退时必填；渐退期按本地政策确定",
    ("DecidePayload", "legal_ground"): "留空则采用默认依据",
    ("ReinvestigatePayload", "conclusion"): "特困人员拟终止公示的异议须填写",
    ("TerminationNoticePayload", "reason"): "载入调整(停发)告知书；公示只显示姓名和拟终止供养",
    ("AdjustInput", "klass"): "留空则保持现分类",
    ("SurveyPayload", "investigator_accounts"): "本地要求入户调查须有驻村干部时必填：参加调查的驻村干部等工作人员的登录账号",
    ("HearingPayload", "signed_sheet"): "留空则采用本案件最近上传的民主听证签字表",
}
# Text inputs offered suggestions (the user may still type someone else, e.g. a village committee member).
SUGGEST = {("RelativeDeclaration", "staff_name"): "staff-names", ("RelativeDeclaration", "staff_position"): "staff-posts"}
_SPLIT_PEOPLE = re.compile(r"[\n\r,，、;；]+")


@dataclass
class Spec:
    name: str  # the field's name in its model
    title: str
    widget: str  # text textarea date number decimal checkbox tristate select lines photos group rows member
    required: bool = False
    choices: list = field(default_factory=list)
    children: list = field(default_factory=list)
    max_length: int | None = None
    default: object = None
    help: str = ""
    member_key: str = ""  # member selects: "pk" (person id) or "name"
    suggest: str = ""  # a datalist of suggestions for a text input (``staff-names``, ``staff-posts``)


def _strip(annotation):
    """``Annotated[X, …]`` → ``X``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _unwrap(annotation):
    """(inner type, optional?) of ``X | None``."""
    annotation = _strip(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _strip(args[0]), True
    return annotation, False


def _max_length(info):
    return next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)


def specs_for(model: type[BaseModel], *, program: str = "dibao") -> list[Spec]:
    out = []
    for name, info in model.model_fields.items():
        if program != "tekun" and name in TEKUN_ONLY:
            continue
        base, optional = _unwrap(info.annotation)
        origin = typing.get_origin(base)
        spec = Spec(name=name, title=info.title or name, widget="text", required=info.is_required(),
                    max_length=_max_length(info), help=HELP.get((model.__name__, name), ""),
                    default=None if info.is_required() else info.get_default(call_default_factory=True))
        if (model.__name__, name) in SUGGEST:
            spec.suggest = SUGGEST[(model.__name__, name)]
        if name == "member":
            spec.widget, spec.member_key = "member", ("pk" if base is int else "name")
        elif base is bool:
            spec.widget = "tristate" if optional else "checkbox"
        elif origin is typing.Literal:
            spec.widget = "select"
            spec.choices = [(v, CHOICE_LABELS.get(v, v)) for v in typing.get_args(base)]
        elif base is int:
            spec.widget = "number"
        elif base is Decimal:
            spec.widget = "decimal"
        elif base is dt.date:
            spec.widget = "date"
        elif base is str:
            spec.widget = "textarea" if (spec.max_length or 0) > 200 else "text"
        elif origin is list:
            inner = _strip(typing.get_args(base)[0])
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                spec.widget, spec.children = "rows", specs_for(inner, program=program)
            elif inner is int:
                spec.widget = "photos"
            else:
                spec.widget = "lines"
                spec.help = spec.help or ("多人可用顿号或换行分隔" if name in PEOPLE_LISTS else "每行填写一项")
        elif isinstance(base, type) and issubclass(base, BaseModel):
            spec.widget, spec.children = "group", specs_for(base, program=program)
        out.append(spec)
    return out


def action_specs(action: str, program: str) -> list[Spec]:
    return specs_for(PAYLOADS[action], program=program)


# ---- POST → payload --------------------------------------------------------------------------

def _scalar(spec: Spec, raw: str):
    """The value to send for one input, or ``...`` to leave the field out (its default applies)."""
    raw = (raw or "").strip()
    if spec.widget == "checkbox":
        return raw in ("on", "true", "1")
    if spec.widget == "tristate":
        return {"true": True, "false": False}.get(raw, ...)
    if spec.widget == "lines":
        parts = _SPLIT_PEOPLE.split(raw) if spec.name in PEOPLE_LISTS else raw.splitlines()
        return [p.strip() for p in parts if p.strip()]
    if spec.widget in ("text", "textarea"):
        return raw
    return raw if raw else ...  # numbers, dates, selects: empty means "not given"


def _is_blank(spec: Spec, raw) -> bool:
    return spec.widget == "checkbox" or not (raw or "").strip()


def parse(specs: list[Spec], post, prefix: str = "") -> tuple[dict, dict]:
    """(payload for the service, raw values keyed by input name for re-rendering the form).

    List rows left entirely empty are dropped and the rest renumbered, so an error path such as
    ``items[1].amount`` names the row the user sees as the second one."""
    payload, raw = {}, {}
    for spec in specs:
        name = prefix + spec.name
        if spec.widget == "photos":
            ids = [int(v) for v in post.getlist(name) if str(v).isdigit()]
            payload[spec.name], raw[name] = ids, ids
        elif spec.widget == "group":
            sub, sub_raw = parse(spec.children, post, name + ".")
            if any(not _is_blank(c, post.get(f"{name}.{c.name}", "")) for c in spec.children):
                payload[spec.name] = sub
                raw.update(sub_raw)
        elif spec.widget == "rows":
            pattern = re.compile(rf"^{re.escape(name)}\[(\d+)\]\.")
            indices = sorted({int(m.group(1)) for k in post.keys() if (m := pattern.match(k))})
            rows = []
            for i in indices:
                row_prefix = f"{name}[{i}]."
                if all(_is_blank(c, post.get(row_prefix + c.name, "")) for c in spec.children):
                    continue
                sub, sub_raw = parse(spec.children, post, row_prefix)
                new_prefix = f"{name}[{len(rows)}]."
                raw.update({new_prefix + k[len(row_prefix):]: v for k, v in sub_raw.items()})
                rows.append(sub)
            payload[spec.name] = rows
            raw[name + "#count"] = len(rows)
        else:
            value = post.get(name, "")
            raw[name] = value
            parsed = _scalar(spec, value)
            if parsed is not ...:
                payload[spec.name] = parsed
    return payload, raw


def initial_values(specs: list[Spec], prefix: str = "") -> dict:
    """Raw values for an empty form: the model defaults (checkboxes such as 已填写信息表 start checked)."""
    raw = {}
    for spec in specs:
        name = prefix + spec.name
        if spec.widget == "checkbox":
            raw[name] = "on" if spec.default else ""
        elif spec.widget == "group":
            raw.update(initial_values(spec.children, name + "."))
        elif spec.widget not in ("rows", "photos") and spec.default not in (None, ""):
            raw[name] = str(spec.default)
    return raw


# ---- binding for the templates ---------------------------------------------------------------

@dataclass
class Bound:
    spec: Spec
    name: str
    value: object
    errors: list
    children: list = field(default_factory=list)  # group: Bound list; rows: list of (index, Bound list)
    template_row: list = field(default_factory=list)

    @property
    def id(self) -> str:
        return "id_" + re.sub(r"[^\w-]", "_", self.name)

    @property
    def lines_text(self) -> str:
        return self.value if isinstance(self.value, str) else "\n".join(self.value or [])


def bind(specs: list[Spec], raw: dict, errors: dict, prefix: str = "", min_rows: int = 1) -> list[Bound]:
    out = []
    for spec in specs:
        name = prefix + spec.name
        b = Bound(spec, name, raw.get(name, [] if spec.widget == "photos" else ""), errors.get(name, []))
        if spec.widget == "group":
            b.children = bind(spec.children, raw, errors, name + ".")
        elif spec.widget == "rows":
            count = max(raw.get(name + "#count", 0), min_rows)
            b.children = [(i, bind(spec.children, raw, errors, f"{name}[{i}].")) for i in range(count)]
            b.template_row = bind(spec.children, {}, {}, f"{name}[__i__].")
            b.value = count
        out.append(b)
    return out


def field_names(specs: list[Spec], prefix: str = "") -> set[str]:
    names = set()
    for spec in specs:
        name = prefix + spec.name
        names.add(name)
        if spec.widget == "group":
            names |= field_names(spec.children, name + ".")
    return names


class ActionErrors:
    """Service errors placed next to their fields when the form shows them, else on top."""

    def __init__(self, exc=None, specs: list[Spec] | None = None, extra_fields=()):
        self.fields: dict[str, list[str]] = {}
        self.general: list[str] = []
        if exc is None:
            return
        # Every problem at once (a ValidationFailed lists them all in details["errors"]), each under its field.
        items = exc.details.get("errors") or [{"field": exc.details.get("field"), "message": exc.message}]
        for item in items:
            self.add(str(item.get("field") or ""), item["message"], specs or [], set(extra_fields))

    def add(self, path: str, message: str, specs: list[Spec], extra: set[str]) -> None:
        target = self._place(path, specs, extra)
        bucket = self.fields.setdefault(target, []) if target else self.general
        if message not in bucket:
            bucket.append(message)

    @staticmethod
    def _place(path: str, specs: list[Spec], extra: set[str]) -> str:
        if not path or path == "version":
            return ""
        known = field_names(specs) | extra
        row_fields = {s.name: s for s in specs if s.widget == "rows"}
        candidate = path
        while candidate:
            if candidate in known:
                return candidate
            m = re.match(r"^(\w+)\[(\d+)\]\.(\w+)$", candidate)
            if m and m.group(1) in row_fields:
                return candidate
            trimmed = re.sub(r"(\[\d+\]|\.\w+)$", "", candidate)
            if trimmed == candidate:
                break
            candidate = trimmed
        return ""

    def __bool__(self):
        return bool(self.fields or self.general)
