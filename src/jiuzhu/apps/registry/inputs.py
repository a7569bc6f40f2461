"""Validation of registry input (from forms, API and imports alike): pydantic models validated through
the one translator (``jiuzhu.core.validation``). Pure: no database. Every problem is
``{field, code, message}`` with the registry's own codes (``required``, ``invalid``,
``invalid_choice``, ``too_long``, ``duplicate``, ``head``, ``inconsistent``, ``id_number.*``) and a
whole Chinese sentence, so the form shows each one under its field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from jiuzhu.core.validation import problem, problems, validate
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
_REGION = re.compile(r"^\d{12}$")
MAX_AMOUNT = Decimal("1e12")  # NUMERIC(14,2) holds up to 999 999 999 999.99


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _choice(value: Any, choices, label: str, default: str | None = None) -> str:
    value = _text(value)
    if not value and default is not None:
        return default
    if value not in choices.values:
        raise problem("invalid_choice", f"{label}“{value}”不是有效选项")
    return value


def _name(value: Any, label: str = "姓名") -> str:
    value = _text(value)
    if not value:
        raise problem("required", f"{label}不能为空")
    if not _NAME.match(value):
        raise problem("invalid", f"{label}只能包含汉字、字母和间隔号，最多50字")
    return value


def _id_number(value: str, info: ValidationInfo) -> str:
    try:
        return idcard.parse(value, as_of=(info.context or {}).get("today")).value
    except ValidationFailed as exc:
        raise problem(exc.code, exc.message) from None


# Field types: each reads the value as text and applies one rule in the registry's words.

def OneOf(choices, label: str, default: str | None = None, *, optional: bool = False):  # noqa: N802
    """A code of ``choices`` (empty: ``default``, or "" when ``optional``)."""
    def check(value):
        return "" if optional and not _text(value) else _choice(value, choices, label, default)
    return Annotated[str, BeforeValidator(check)]


def Matching(pattern: re.Pattern, message: str, *, required: bool = False, squeeze: bool = True):  # noqa: N802
    """Text matching ``pattern`` (inner spaces removed when ``squeeze``); empty allowed unless ``required``."""
    def check(value):
        value = _text(value).replace(" ", "") if squeeze else _text(value)
        if (value or required) and not pattern.match(value):
            raise problem("invalid", message)
        return value
    return Annotated[str, BeforeValidator(check)]


def AtMost(limit: int, message: str):  # noqa: N802
    def check(value):
        value = _text(value)
        if len(value) > limit:
            raise problem("too_long", message)
        return value
    return Annotated[str, BeforeValidator(check)]


PersonName = Annotated[str, BeforeValidator(_name)]


class _Input(BaseModel):
    # Every field is read as text and checked by its own rule (the registry's codes and sentences);
    # keys a form sends besides (``version`` …) are ignored.
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


class MemberInput(_Input):
    name: PersonName = Field("", title="姓名")
    id_number: str = Field("", title="身份证号")
    relation: OneOf(Relation, "与户主关系") = Field("", title="与户主关系")  # type: ignore[valid-type]
    disability_kind: OneOf(DisabilityKind, "残疾类别", "none") = Field("none", title="残疾类别")  # type: ignore[valid-type]
    disability_grade: int = Field(0, title="残疾等级")
    health: OneOf(Health, "健康状况", "healthy") = Field("healthy", title="健康状况")  # type: ignore[valid-type]
    employment: OneOf(Employment, "就业状况", optional=True) = Field("", title="就业状况")  # type: ignore[valid-type]
    phone: Matching(_PHONE, "联系电话应为11位手机号或带区号的固定电话") = Field("", title="联系电话")  # type: ignore[valid-type]
    co_resident: bool = Field(True, title="共同生活")

    @field_validator("id_number", mode="before")
    @classmethod
    def _id(cls, value, info: ValidationInfo):
        value = _text(value)
        if not value:
            raise problem("required", "身份证号不能为空")
        return _id_number(value, info)

    @field_validator("disability_grade", mode="before")
    @classmethod
    def _grade(cls, value, info: ValidationInfo):
        try:
            grade = int(value or 0)
        except (TypeError, ValueError):
            grade = -1
        if grade not in (0, 1, 2, 3, 4):
            raise problem("invalid", "残疾等级应为0（无）或1–4级")
        kind = info.data.get("disability_kind")
        if kind is not None and (kind == "none") != (grade == 0):
            raise problem("inconsistent", "残疾类别与残疾等级不一致：无残疾时等级填0，有残疾时填1–4级")
        return grade

    @field_validator("co_resident", mode="before")
    @classmethod
    def _co_resident(cls, value):
        if isinstance(value, str):
            return value.lower() in ("1", "true", "on", "yes", "是")
        return bool(value)

    @property
    def birth_date(self) -> date:
        return idcard.parse(self.id_number).birth_date

    @property
    def sex(self) -> str:
        return idcard.parse(self.id_number).sex


class ObligorInput(_Input):
    name: PersonName = Field("", title="义务人姓名")
    relation: OneOf(ObligorRelation, "义务人关系") = Field("", title="义务人关系")  # type: ignore[valid-type]
    supported_id_number: str = Field("", title="被赡(抚、扶)养人身份证号")  # checked against the household's members by HouseholdInput
    id_number: str = Field("", title="义务人身份证号")
    monthly_income: Decimal | None = Field(None, title="月收入")
    household_size: int | None = Field(None, title="义务人家庭人数")

    @field_validator("supported_id_number", mode="before")
    @classmethod
    def _supported(cls, value):
        return idcard.normalize(_text(value))

    @field_validator("id_number", mode="before")
    @classmethod
    def _id(cls, value, info: ValidationInfo):
        value = _text(value)
        return _id_number(value, info) if value else ""

    @field_validator("monthly_income", mode="before")
    @classmethod
    def _income(cls, value):
        text = _text(value)
        if not text:
            return None
        try:
            income = Decimal(text)
            if not income.is_finite() or income < 0 or income >= MAX_AMOUNT:
                raise InvalidOperation
        except InvalidOperation:
            raise problem("invalid", "月收入应为不小于0的金额") from None
        return income.quantize(Decimal("0.01"))

    @field_validator("household_size", mode="before")
    @classmethod
    def _size(cls, value):
        text = _text(value)
        if not text:
            return None
        try:
            size = int(text)
        except ValueError:
            size = 0
        if not 1 <= size <= 99:
            raise problem("invalid", "义务人家庭人数应为1–99的整数")
        return size


def _valid(data, context) -> MemberInput | None:
    try:
        return MemberInput.model_validate(data, context=context)
    except ValidationError:
        return None


def _items(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def _list(value, message: str) -> list:
    if not value:
        return []
    if not isinstance(value, (list, tuple)):
        raise problem("invalid", message)
    return list(value)


class HouseholdInput(_Input):
    """A whole household submission. Context ``today``: the day of the registration (no one born
    after it); ``require_members`` False: a change of the household's own fields only."""

    region_code: Matching(_REGION, "户籍所在村(居)应为12位区划代码", required=True, squeeze=False) = Field("", title="户籍所在村(居)")  # type: ignore[valid-type]
    residence_region_code: str = Field("", title="居住地")
    area_type: OneOf(AreaType, "城乡类别") = Field("", title="城乡类别")  # type: ignore[valid-type]
    address: AtMost(200, "居住地址最多200字") = Field("", title="居住地址")  # type: ignore[valid-type]
    bank_account: Matching(_BANK, "银行账号应为12–30位数字") = Field("", title="银行账号")  # type: ignore[valid-type]
    bank_name: AtMost(100, "开户行名称最多100字") = Field("", title="开户行名称")  # type: ignore[valid-type]
    members: tuple[MemberInput, ...] = Field((), title="家庭成员")
    obligors: tuple[ObligorInput, ...] = Field((), title="赡(抚、扶)养义务人")

    @field_validator("residence_region_code", mode="before")
    @classmethod
    def _residence(cls, value, info: ValidationInfo):
        value = _text(value) or info.data.get("region_code", "")
        if value and not _REGION.match(value):
            raise problem("invalid", "居住地应为12位区划代码")
        return value

    @field_validator("members", mode="before")
    @classmethod
    def _members(cls, value, info: ValidationInfo):
        members = _list(value, "家庭成员格式错误")
        if not members and (info.context or {}).get("require_members", True):
            raise problem("required", "至少登记一名家庭成员（户主）")
        return members

    @field_validator("obligors", mode="before")
    @classmethod
    def _obligors(cls, value):
        return _list(value, "赡(抚、扶)养义务人格式错误")

    @model_validator(mode="wrap")
    @classmethod
    def _across(cls, data, handler, info: ValidationInfo):
        """The checks across members and obligors, on every member that is valid by itself, so an
        import lists them with the fields' own problems at once."""
        try:
            inp, failed = handler(data), None
        except ValidationError as exc:
            inp, failed = None, exc
        raw = data if isinstance(data, dict) else {}
        raw_members = _items(raw.get("members"))
        raw_obligors = _items(raw.get("obligors"))
        if inp is not None:
            valid = list(enumerate(inp.members))
        else:  # which members are valid by themselves (only on this failing path: validated once more)
            valid = [(i, m) for i, raw_m in enumerate(raw_members) if (m := _valid(raw_m, info.context))]
        restate = {(key, i): ("invalid", f"第{i + 1}名{what}格式错误")  # an item that is not an object
                   for key, what, items in (("members", "成员", raw_members), ("obligors", "义务人", raw_obligors))
                   for i, item in enumerate(items) if not isinstance(item, dict)}
        found: list[tuple[tuple, str, str]] = []
        seen: dict[str, int] = {}
        for i, m in valid:
            if m.id_number in seen:
                found.append((("members", i, "id_number"), "duplicate",
                              f"与第{seen[m.id_number] + 1}名成员的身份证号重复"))
            seen.setdefault(m.id_number, i)
        heads = sum(1 for _, m in valid if m.relation == Relation.HEAD)
        if raw_members and len(valid) == len(raw_members) and heads != 1:
            found.append((("members",), "head", "家庭成员中必须有且只有一名户主"))
        for i, ob in enumerate(raw_obligors):
            if isinstance(ob, dict) and idcard.normalize(_text(ob.get("supported_id_number"))) not in seen:
                found.append((("obligors", i, "supported_id_number"), "invalid",
                              "被赡(抚、扶)养人须为本户成员（填其身份证号）"))
        if failed is None and not found:
            return inp
        raise problems(cls, found, before=failed, restate=restate)


def clean_household(data: dict, *, as_of: date, require_members: bool = True) -> HouseholdInput:
    """Validate a whole household submission; raises ValidationFailed listing every bad field."""
    return cast(HouseholdInput, validate(HouseholdInput, data, today=as_of, codes=True,
                                         context={"require_members": require_members}))


def clean_member(data: dict, *, as_of: date, prefix: str = "member") -> MemberInput:
    """Validate one member added to a household; the fields are named ``member.<field>``."""
    return cast(MemberInput, validate(MemberInput, data, today=as_of, codes=True, prefix=(prefix,)))
