"""The ledger's own cells of one row as pydantic models (validated through ``core.validation``): the
member's incomes and 共同生活, and the enrollment columns. Field names are the columns' keys, so an
error names its spreadsheet row and column. The member's registry fields go through the registry's
``HouseholdInput``; the checks across rows of a household stay in ``ledger_validate``.

Context: ``today`` (the import day), ``is_head`` (the head's own row) and ``members`` (the
household's number of members)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator

from jiuzhu.core.validation import problem

from .ledger_columns import CLASSES, PROGRAMS, STATUSES, YES
from .ledger_read import cell_text

MAX_MONEY = Decimal("1e12")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?$")


def parse_month(value) -> tuple[date | None, bool]:
    """(first of the month, whether a full date fell on another day)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1), value.day != 1
    m = _MONTH.match(cell_text(value))
    if not m:
        return None, False
    try:
        day = date(int(m[1]), int(m[2]), int(m[3] or 1))
    except ValueError:
        return None, False
    return day.replace(day=1), day.day != 1


def parse_day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _MONTH.match(cell_text(value))
    if not m or not m[3]:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def money(value, *, negative: bool = False) -> Decimal:
    """A money cell (empty: 0.00); at most two places, not negative unless ``negative``."""
    text = cell_text(value).replace(",", "")
    if text == "":
        return Decimal("0.00")
    try:
        amount = Decimal(text)
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise problem("invalid", f"“{text}”不是有效金额") from None
    if (amount < 0 and not negative) or abs(amount) >= MAX_MONEY or amount != amount.quantize(Decimal("0.01")):
        raise problem("invalid", f"金额 {text} 应为{'' if negative else '不小于0的'}数，最多两位小数")
    return amount.quantize(Decimal("0.01"))


def Label(mapping: dict, wrong: str, *, kind: type = str, required: str = ""):  # noqa: N802
    """A cell's text looked up in ``mapping`` (labels → codes); another text is refused with ``wrong``
    (``{text}`` stands for the cell), an empty cell with ``required`` when given."""
    def check(value):
        text = cell_text(value)
        if required and not text:
            raise problem("required", required)
        if text not in mapping:
            raise problem("invalid_choice", wrong.replace("{text}", text))
        return mapping[text]
    return Annotated[kind, BeforeValidator(check)]


Money = Annotated[Decimal, BeforeValidator(money)]
NetMoney = Annotated[Decimal, BeforeValidator(lambda v: money(v, negative=True))]  # a business may lose


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


class MemberRow(_Row):
    """A member's own ledger cells besides the registry's: 共同生活 and the monthly incomes."""

    co_resident: Label(YES, "“{text}”应填“是”或“否”", kind=bool) = True  # type: ignore[valid-type]
    wage: Money = Decimal("0.00")
    business: NetMoney = Decimal("0.00")
    property_income: Money = Decimal("0.00")
    transfer: Money = Decimal("0.00")

    def incomes(self) -> dict[str, Decimal]:
        return {"wage": self.wage, "business": self.business, "property_income": self.property_income,
                "transfer": self.transfer}


class EnrollmentRow(_Row):
    """The enrollment columns of one row (低保 on the head's row; 特困 and 单人施保 on the person's)."""

    program: str = ""  # the label: 低保 / 低保单人施保 / 特困
    klass: str = ""
    amount: Decimal | None = None  # required: empty is refused in its own words
    persons: int | None = None
    start_month: date | None = None
    status: Label(STATUSES, "状态“{text}”应为 在保 / 暂停 / 渐退期") = ""  # type: ignore[valid-type]
    decided_on: date | None = None
    next_recheck: date | None = None

    @property
    def code(self) -> str:
        return PROGRAMS[self.program][0]

    @property
    def per_person(self) -> bool:
        return PROGRAMS[self.program][1]

    @field_validator("program", mode="before")
    @classmethod
    def _program(cls, value, info: ValidationInfo):
        label = cell_text(value)
        if label not in PROGRAMS:
            raise problem("invalid_choice", f"“{label}”不是有效的保障类别（低保 / 低保单人施保 / 特困）" if label else
                          "填写了保障信息但保障类别为空")
        if not PROGRAMS[label][1] and not (info.context or {}).get("is_head"):
            raise problem("not_head_row", "低保按户施保，应填在户主本人的行；成员单人施保请填“低保单人施保”")
        return label

    @field_validator("klass", mode="before")
    @classmethod
    def _klass(cls, value, info: ValidationInfo):
        klass = cell_text(value).upper()
        label = info.data.get("program")
        if label is None:
            return klass
        program, per_person = PROGRAMS[label]
        if program == "dibao" and not per_person and klass not in CLASSES:
            raise problem("required", f"低保家庭须填分类 A/B/C/D（收到“{klass}”）")
        if klass and (program == "tekun" or klass not in CLASSES):
            raise problem("invalid", "特困人员不填分类" if program == "tekun" else f"分类“{klass}”应为 A/B/C/D")
        return klass

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value):
        if cell_text(value) == "":
            raise problem("required", "月保障金不能为空")
        return money(value)

    @field_validator("persons", mode="before")
    @classmethod
    def _persons(cls, value, info: ValidationInfo):
        label = info.data.get("program")
        if label is None:
            return None
        per_person = PROGRAMS[label][1]
        limit = 1 if per_person else int((info.context or {}).get("members", 1))
        text = cell_text(value)
        try:
            persons = int(text) if text else limit
        except ValueError:
            persons = 0
        if not 1 <= persons <= limit:
            raise problem("invalid", "单人施保、特困的保障人数为1" if per_person else f"保障人数应为1–{limit}（本户人数）的整数")
        return persons

    @field_validator("start_month", mode="before")
    @classmethod
    def _start(cls, value):
        start, not_first = parse_month(value)
        if start is None:
            raise problem("invalid", "起始月份格式错误，应为 YYYY-MM（如 2026-01）")
        if not_first:
            raise problem("invalid", "起始月份应为某月1日（或只填年月）")
        return start

    @field_validator("decided_on", mode="before")
    @classmethod
    def _decided(cls, value, info: ValidationInfo):
        today = (info.context or {}).get("today")
        if not cell_text(value):
            return today
        decided = parse_day(value)
        if decided is None or (today is not None and decided > today):
            raise problem("invalid", "确认日期格式错误（YYYY-MM-DD）或晚于导入日期")
        return decided

    @field_validator("next_recheck", mode="before")
    @classmethod
    def _recheck(cls, value):
        if not cell_text(value):
            return None
        recheck = parse_day(value) or parse_month(value)[0]
        if recheck is None:
            raise problem("invalid", "下次复核日期格式错误（YYYY-MM-DD）")
        return recheck
