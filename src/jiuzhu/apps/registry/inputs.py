"""Validation of registry input (from forms, API and imports alike). Pure: no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from jiuzhu.rules import idcard
from jiuzhu.rules.errors import ValidationFailed

from .choices import (
    AreaType,
    DisabilityKind,
    Employment,
    Health,
    ObligorRelation,
    Relation,
)

_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z·•\s]{1,50}$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_BANK = re.compile(r"^\d{12,30}$")
MAX_AMOUNT = Decimal("1e12")  # NUMERIC(14,2) holds up to 999 999 999 999.99


class Errors:
    """Collects field errors so a form can show each one next to its field."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, field_path: str, code: str, message: str):
        self.items.append({"field": field_path, "code": code, "message": message})

    def raise_if_any(self):
        if self.items:
            first = self.items[0]
            raise ValidationFailed(first["code"], first["message"], field=first["field"], errors=self.items)


@dataclass(frozen=True)
class MemberInput:
    name: str
    id_number: str
    relation: str
    birth_date: date
    sex: str
    co_resident: bool = True
    phone: str = ""
    disability_kind: str = "none"
    disability_grade: int = 0
    health: str = "healthy"
    employment: str = ""


@dataclass(frozen=True)
class ObligorInput:
    name: str
    relation: str
    supported_id_number: str
    id_number: str = ""
    monthly_income: Decimal | None = None
    household_size: int | None = None


@dataclass(frozen=True)
class HouseholdInput:
    region_code: str
    residence_region_code: str
    area_type: str
    address: str = ""
    bank_account: str = ""
    bank_name: str = ""
    members: tuple[MemberInput, ...] = field(default_factory=tuple)
    obligors: tuple[ObligorInput, ...] = field(default_factory=tuple)


def _s(data: dict, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _choice(errors: Errors, path: str, value: str, choices, label: str, default: str | None = None) -> str:
    if not value and default is not None:
        return default
    if value not in choices.values:
        errors.add(path, "invalid_choice", f"{label}“{value}”不是有效选项")
    return value


def clean_name(errors: Errors, path: str, value: str, label: str = "姓名") -> str:
    if not value:
        errors.add(path, "required", f"{label}不能为空")
    elif not _NAME.match(value):
        errors.add(path, "invalid", f"{label}只能包含汉字、字母和间隔号，最多50字")
    return value


def clean_phone(errors: Errors, path: str, value: str) -> str:
    value = value.replace(" ", "")
    if value and not _PHONE.match(value):
        errors.add(path, "invalid", "联系电话应为11位手机号或带区号的固定电话")
    return value


def clean_member(errors: Errors, path: str, data: dict, as_of: date) -> MemberInput | None:
    n = len(errors.items)
    name = clean_name(errors, f"{path}.name", _s(data, "name"))
    parsed = None
    raw_id = _s(data, "id_number")
    if not raw_id:
        errors.add(f"{path}.id_number", "required", "身份证号不能为空")
    else:
        try:
            parsed = idcard.parse(raw_id, field=f"{path}.id_number", as_of=as_of)
        except ValidationFailed as exc:
            errors.add(f"{path}.id_number", exc.code, exc.message)
    relation = _choice(errors, f"{path}.relation", _s(data, "relation"), Relation, "与户主关系")
    kind = _choice(errors, f"{path}.disability_kind", _s(data, "disability_kind"), DisabilityKind, "残疾类别", "none")
    try:
        grade = int(data.get("disability_grade") or 0)
    except (TypeError, ValueError):
        grade = -1
    if grade not in (0, 1, 2, 3, 4):
        errors.add(f"{path}.disability_grade", "invalid", "残疾等级应为0（无）或1–4级")
    elif (kind == "none") != (grade == 0):
        errors.add(f"{path}.disability_grade", "inconsistent", "残疾类别与残疾等级不一致：无残疾时等级填0，有残疾时填1–4级")
    health = _choice(errors, f"{path}.health", _s(data, "health"), Health, "健康状况", "healthy")
    employment = _s(data, "employment")
    if employment:
        _choice(errors, f"{path}.employment", employment, Employment, "就业状况")
    phone = clean_phone(errors, f"{path}.phone", _s(data, "phone"))
    co_resident = data.get("co_resident", True)
    if isinstance(co_resident, str):
        co_resident = co_resident.lower() in ("1", "true", "on", "yes", "是")
    if len(errors.items) > n or parsed is None:
        return None
    return MemberInput(name=name, id_number=parsed.value, relation=relation, birth_date=parsed.birth_date,
                       sex=parsed.sex, co_resident=bool(co_resident), phone=phone, disability_kind=kind,
                       disability_grade=grade, health=health, employment=employment)


def clean_household(data: dict, *, as_of: date, require_members: bool = True) -> HouseholdInput:
    """Validate a whole household submission; raises ValidationFailed listing every bad field."""
    errors = Errors()
    region = _s(data, "region_code")
    if not re.match(r"^\d{12}$", region):
        errors.add("region_code", "invalid", "户籍所在村(居)应为12位区划代码")
    residence = _s(data, "residence_region_code") or region
    if not re.match(r"^\d{12}$", residence):
        errors.add("residence_region_code", "invalid", "居住地应为12位区划代码")
    area_type = _choice(errors, "area_type", _s(data, "area_type"), AreaType, "城乡类别")
    address = _s(data, "address")
    if len(address) > 200:
        errors.add("address", "too_long", "居住地址最多200字")
    bank = _s(data, "bank_account").replace(" ", "")
    if bank and not _BANK.match(bank):
        errors.add("bank_account", "invalid", "银行账号应为12–30位数字")
    bank_name = _s(data, "bank_name")
    if len(bank_name) > 100:
        errors.add("bank_name", "too_long", "开户行名称最多100字")
    members = []
    raw_members = data.get("members") or []
    if not isinstance(raw_members, (list, tuple)):
        errors.add("members", "invalid", "家庭成员格式错误")
        raw_members = []
    if require_members and not raw_members:
        errors.add("members", "required", "至少登记一名家庭成员（户主）")
    for i, raw in enumerate(raw_members):
        if not isinstance(raw, dict):
            errors.add(f"members[{i}]", "invalid", f"第{i + 1}名成员格式错误")
            continue
        member = clean_member(errors, f"members[{i}]", raw, as_of)
        if member:
            members.append((i, member))
    seen: dict[str, int] = {}
    for i, m in members:
        if m.id_number in seen:
            errors.add(f"members[{i}].id_number", "duplicate", f"与第{seen[m.id_number] + 1}名成员的身份证号重复")
        seen.setdefault(m.id_number, i)
    heads = [i for i, m in members if m.relation == Relation.HEAD]
    if raw_members and len(members) == len(raw_members) and len(heads) != 1:
        errors.add("members", "head", "家庭成员中必须有且只有一名户主")
    obligors = []
    raw_obligors = data.get("obligors") or []
    if not isinstance(raw_obligors, (list, tuple)):
        errors.add("obligors", "invalid", "赡(抚、扶)养义务人格式错误")
        raw_obligors = []
    for i, raw in enumerate(raw_obligors):
        path = f"obligors[{i}]"
        if not isinstance(raw, dict):
            errors.add(path, "invalid", f"第{i + 1}名义务人格式错误")
            continue
        name = clean_name(errors, f"{path}.name", _s(raw, "name"))
        relation = _choice(errors, f"{path}.relation", _s(raw, "relation"), ObligorRelation, "义务人关系")
        supported = idcard.normalize(_s(raw, "supported_id_number"))
        if supported not in seen:
            errors.add(f"{path}.supported_id_number", "invalid", "被赡(抚、扶)养人须为本户成员（填其身份证号）")
        obligor_id = _s(raw, "id_number")
        if obligor_id:
            try:
                obligor_id = idcard.parse(obligor_id, field=f"{path}.id_number", as_of=as_of).value
            except ValidationFailed as exc:
                errors.add(f"{path}.id_number", exc.code, exc.message)
        income = None
        if _s(raw, "monthly_income"):
            try:
                income = Decimal(_s(raw, "monthly_income"))
                if not income.is_finite() or income < 0 or income >= MAX_AMOUNT:
                    raise InvalidOperation
                income = income.quantize(Decimal("0.01"))
            except InvalidOperation:
                errors.add(f"{path}.monthly_income", "invalid", "月收入应为不小于0的金额")
        size = None
        if _s(raw, "household_size"):
            try:
                size = int(_s(raw, "household_size"))
            except ValueError:
                size = 0
            if not 1 <= size <= 99:
                errors.add(f"{path}.household_size", "invalid", "义务人家庭人数应为1–99的整数")
        obligors.append(ObligorInput(name=name, relation=relation, supported_id_number=supported,
                                     id_number=obligor_id, monthly_income=income,
                                     household_size=size))
    errors.raise_if_any()
    return HouseholdInput(region_code=region, residence_region_code=residence, area_type=area_type, address=address,
                          bank_account=bank, bank_name=bank_name,
                          members=tuple(m for _, m in members), obligors=tuple(obligors))
