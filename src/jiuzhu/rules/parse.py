"""Parse and validate an evaluation request (spec/reference-policy.md §6) into frozen facts.

Every rejection is a ``ValidationFailed(code, message_zh, field="members[0].birth_date")`` whose
Chinese message also names the field path; the first problem found (in document order) is reported.
Programs ``rigid_expenditure`` and ``graduation`` (extensions to the §6 contract) add the blocks
``rigid`` and ``graduation``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import ValidationFailed
from .model import (
    AREA_TYPES,
    DEDUCTION_FIELDS,
    DISABILITY_KINDS,
    INCOME_FIELDS,
    PROGRAMS,
    TEMPORARY_TYPES,
    VEHICLE_KINDS,
    ZERO,
    Assets,
    Deductions,
    Disability,
    GraduationRequest,
    HouseholdFacts,
    Income,
    Member,
    Obligor,
    RigidRequest,
    Temporary,
    Vehicle,
)
from .rigid import CURRENT_STATUSES, RIGID_ITEMS

ROOT = "$"
MONEY_LIMIT = Decimal("1000000000000")  # 1e12 yuan: anything larger is a typo, and keeps arithmetic exact
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONEY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_TOP = ("program", "as_of", "area_type", "members", "assets", "obligors_able", "temporary", "rigid", "graduation",
        "obligors")
_OBLIGOR = ("id", "monthly_income", "household_size", "financial")
_REASON = re.compile(r"^[a-z0-9_]{1,64}$")
_MEMBER = ("id", "birth_date", "disability", "serious_illness", "adl_failed", "income", "deductions")
_ASSETS = ("financial", "vehicles", "residential_properties", "business_registered_capital")
_LABELS = {"program": "救助项目", "as_of": "评估日期", "area_type": "城乡类别", "members": "家庭成员",
           "birth_date": "出生日期", "disability": "残疾情况", "kind": "类别", "grade": "残疾等级",
           "serious_illness": "重病", "adl_failed": "失能项数", "income": "收入", "deductions": "扣除项",
           "assets": "家庭财产", "vehicles": "车辆", "value": "价值", "residential_properties": "住房套数",
           "obligors_able": "赡养义务人有履行能力", "temporary": "临时救助", "type": "类型", "need": "救助需求",
           "id": "成员编号", "rigid": "刚性支出申请", "current_status": "当前救助状态", "expenditure": "刚性支出",
           "living": "基本生活支出", "medical": "医疗自付支出", "education": "教育支出", "rehabilitation": "康复自付支出",
           "other": "其他刚性支出", "graduation": "渐退申请", "reason": "渐退原因", "current_amount": "现发放金额",
           "obligors": "不共同居住的赡(抚、扶)养义务人", "monthly_income": "义务人家庭月收入",
           "household_size": "义务人家庭人数", "financial": "金融资产"}


def _fail(code: str, field: str, message: str):
    raise ValidationFailed(code, f"{message}（字段：{field}）", field=field)


def _or(value, default):
    return default if value is None else value


def _label(field: str) -> str:
    last = re.sub(r"\[\d+\]$", "", field.rsplit(".", 1)[-1])
    return _LABELS.get(last, last)


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return key if path == ROOT else f"{path}.{key}"


def _object(value, field: str, allowed) -> dict:
    if not isinstance(value, dict):
        _fail("invalid_type", field, f"{_label(field)}应为对象（JSON object）")
    for key in value:
        if key not in allowed:
            _fail("unknown_field", _join(field, str(key)), f"未知字段“{key}”，允许的字段：{'、'.join(allowed)}")
    return value


def _required(obj: dict, key: str, path: str):
    if key not in obj or obj[key] is None:
        _fail("required", _join(path, key), f"缺少必填项：{_label(key)}（{key}）")
    return obj[key]


def _choice(value, field: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        _fail("invalid_choice", field, f"{_label(field)}“{value}”不是有效选项，可选：{'、'.join(choices)}")
    return value


def _date(value, field: str) -> date:
    try:
        if not isinstance(value, str) or not _DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        _fail("invalid_date", field, f"{_label(field)}“{value}”不是有效日期，应为 YYYY-MM-DD")


def _bool(value, field: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        _fail("invalid_type", field, f"{_label(field)}应为 true 或 false")
    return value


def _int(value, field: str, low: int, high: int | None, default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        _fail("invalid_type", field, f"{_label(field)}应为整数")
    if value < low or (high is not None and value > high):
        bounds = f"{low}–{high}" if high is not None else f"不小于 {low}"
        _fail("out_of_range", field, f"{_label(field)} {value} 超出范围（{bounds}）")
    return value


def money(value, field: str, *, allow_negative: bool = False) -> Decimal:
    """A money amount from a decimal string or a JSON number; missing → 0."""
    if value is None:
        return ZERO
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        _fail("invalid_money", field, f"{_label(field)}应为金额（如 \"1234.50\"）")
    text = value.strip() if isinstance(value, str) else str(value)
    if isinstance(value, str) and not _MONEY.match(text):
        _fail("invalid_money", field, f"{_label(field)}“{value}”不是有效金额（应为十进制数，如 \"1234.50\"）")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(text)
    except InvalidOperation:
        _fail("invalid_money", field, f"{_label(field)}“{value}”不是有效金额")
    if not amount.is_finite() or abs(amount) >= MONEY_LIMIT:
        _fail("invalid_money", field, f"{_label(field)}“{value}”不是有效金额")
    if amount < 0 and not allow_negative:
        _fail("negative_money", field, f"{_label(field)}不能为负数（{value}）")
    return amount + ZERO  # normalises -0


def _disability(value, field: str) -> Disability | None:
    if value is None:
        return None
    obj = _object(value, field, ("kind", "grade"))
    kind = _choice(_required(obj, "kind", field), _join(field, "kind"), DISABILITY_KINDS)
    grade = _int(_required(obj, "grade", field), _join(field, "grade"), 1, 4)
    return Disability(kind=kind, grade=grade)


def _member(value, field: str, index: int, as_of: date) -> Member:
    obj = _object(value, field, _MEMBER)
    member_id = obj.get("id")
    if member_id is None:
        member_id = f"m{index + 1}"
    elif not isinstance(member_id, str) or not member_id.strip():
        _fail("invalid_type", _join(field, "id"), "成员编号应为非空字符串")
    birth = _date(_required(obj, "birth_date", field), _join(field, "birth_date"))
    if birth > as_of:
        _fail("birth_after_as_of", _join(field, "birth_date"), f"出生日期 {birth.isoformat()} 晚于评估日期 {as_of.isoformat()}")
    income_raw = _object(_or(obj.get("income"), {}), _join(field, "income"), INCOME_FIELDS)
    income = Income(**{k: money(income_raw.get(k), _join(_join(field, "income"), k), allow_negative=k == "business")
                       for k in INCOME_FIELDS})
    ded_raw = _object(_or(obj.get("deductions"), {}), _join(field, "deductions"), DEDUCTION_FIELDS)
    deductions = Deductions(**{k: money(ded_raw.get(k), _join(_join(field, "deductions"), k)) for k in DEDUCTION_FIELDS})
    return Member(
        id=member_id,
        birth_date=birth,
        disability=_disability(obj.get("disability"), _join(field, "disability")),
        serious_illness=_bool(obj.get("serious_illness"), _join(field, "serious_illness")),
        adl_failed=_int(obj.get("adl_failed"), _join(field, "adl_failed"), 0, 6),
        income=income,
        deductions=deductions,
    )


def _assets(value, field: str) -> Assets:
    obj = _object(value if value is not None else {}, field, _ASSETS)
    vehicles_raw = _or(obj.get("vehicles"), [])
    vfield = _join(field, "vehicles")
    if not isinstance(vehicles_raw, list):
        _fail("invalid_type", vfield, "车辆应为数组")
    vehicles = []
    for i, item in enumerate(vehicles_raw):
        path = _join(vfield, i)
        v = _object(item, path, ("kind", "value"))
        vehicles.append(Vehicle(kind=_choice(_required(v, "kind", path), _join(path, "kind"), VEHICLE_KINDS),
                                value=money(v.get("value"), _join(path, "value"))))
    return Assets(
        financial=money(obj.get("financial"), _join(field, "financial")),
        vehicles=tuple(vehicles),
        residential_properties=_int(obj.get("residential_properties"), _join(field, "residential_properties"), 0, None),
        business_registered_capital=money(obj.get("business_registered_capital"),
                                          _join(field, "business_registered_capital")),
    )


def _temporary(value, field: str) -> Temporary | None:
    if value is None:
        return None
    obj = _object(value, field, ("type", "need"))
    kind = _choice(_required(obj, "type", field), _join(field, "type"), TEMPORARY_TYPES)
    _required(obj, "need", field)
    return Temporary(type=kind, need=money(obj["need"], _join(field, "need")))


def _rigid(value, field: str) -> RigidRequest | None:
    if value is None:
        return None
    obj = _object(value, field, ("current_status", "expenditure"))
    status = _choice(_or(obj.get("current_status"), "none"), _join(field, "current_status"), CURRENT_STATUSES)
    efield = _join(field, "expenditure")
    raw = _object(_or(obj.get("expenditure"), {}), efield, RIGID_ITEMS)
    return RigidRequest(current_status=status,
                        expenditure={k: money(raw.get(k), _join(efield, k)) for k in RIGID_ITEMS if raw.get(k) is not None})


def _graduation(value, field: str) -> GraduationRequest | None:
    if value is None:
        return None
    obj = _object(value, field, ("reason", "current_amount"))
    reason = _required(obj, "reason", field)
    if not isinstance(reason, str) or not _REASON.match(reason):
        _fail("invalid_choice", _join(field, "reason"), f"渐退原因“{reason}”应为原因代码（小写字母、数字、下划线）")
    _required(obj, "current_amount", field)
    return GraduationRequest(reason=reason, current_amount=money(obj["current_amount"], _join(field, "current_amount")))


def _obligors(value, field: str) -> tuple[Obligor, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail("invalid_type", field, "不共同居住的赡(抚、扶)养义务人应为数组")
    out, seen = [], set()
    for i, item in enumerate(value):
        path = _join(field, i)
        obj = _object(item, path, _OBLIGOR)
        obligor_id = obj.get("id", f"o{i + 1}")
        if not isinstance(obligor_id, str) or not obligor_id.strip():
            _fail("invalid_type", _join(path, "id"), "义务人编号应为非空字符串")
        if obligor_id in seen:
            _fail("duplicate_obligor_id", _join(path, "id"), f"义务人编号“{obligor_id}”重复")
        seen.add(obligor_id)
        _required(obj, "monthly_income", path)
        out.append(Obligor(id=obligor_id, monthly_income=money(obj["monthly_income"], _join(path, "monthly_income")),
                           household_size=_int(obj.get("household_size"), _join(path, "household_size"), 1, 50, 1),
                           financial=money(obj.get("financial"), _join(path, "financial"))))
    return tuple(out)


def parse_facts(data) -> HouseholdFacts:
    """Validate a request document (a dict from JSON) and return ``HouseholdFacts``."""
    obj = _object(data, ROOT, _TOP)
    program = _choice(_required(obj, "program", ROOT), "program", PROGRAMS)
    as_of = _date(_required(obj, "as_of", ROOT), "as_of")
    area_type = _choice(_required(obj, "area_type", ROOT), "area_type", AREA_TYPES)
    raw_members = _required(obj, "members", ROOT)
    if not isinstance(raw_members, list):
        _fail("invalid_type", "members", "家庭成员应为数组")
    if not raw_members:
        _fail("empty_members", "members", "家庭成员不能为空")
    members = tuple(_member(m, _join("members", i), i, as_of) for i, m in enumerate(raw_members))
    seen: set[str] = set()
    for i, m in enumerate(members):
        if m.id in seen:
            _fail("duplicate_member_id", f"members[{i}].id", f"成员编号“{m.id}”重复")
        seen.add(m.id)
    if program == "tekun" and len(members) != 1:
        _fail("tekun_one_member", "members", f"特困人员认定按个人申请，应恰好 1 名成员（收到 {len(members)} 名）")
    assets = _assets(obj.get("assets"), "assets")
    obligors_able = _bool(obj.get("obligors_able"), "obligors_able")
    temporary = _temporary(obj.get("temporary"), "temporary")
    if program == "temporary" and temporary is None:
        _fail("required", "temporary", "临时救助须填写 temporary（type、need）")
    rigid = _rigid(obj.get("rigid"), "rigid")
    if program == "rigid_expenditure" and rigid is None:
        _fail("required", "rigid", "刚性支出困难家庭认定须填写 rigid（current_status、expenditure）")
    graduation = _graduation(obj.get("graduation"), "graduation")
    if program == "graduation" and graduation is None:
        _fail("required", "graduation", "渐退须填写 graduation（reason、current_amount）")
    obligors = _obligors(obj.get("obligors"), "obligors")
    return HouseholdFacts(program=program, as_of=as_of, area_type=area_type, members=members, assets=assets,
                          obligors_able=obligors_able, temporary=temporary, rigid=rigid, graduation=graduation,
                          obligors=obligors)
