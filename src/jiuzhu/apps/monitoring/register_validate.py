"""Validation of every row of a register spreadsheet before anything is written: each error names the
spreadsheet row and column. Households are found by number (H00000012) or by the head's ID number
through the blind index (the number itself is never stored or compared in clear), only inside the
import region and the actor's scope; outside them a household is "not found", like an unknown one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db.models import F
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator

from jiuzhu.apps.enrollment.ledger_read import (
    LedgerError,
    LedgerSheet,
    cell_text,
    numeric_digits_lost,
)
from jiuzhu.apps.enrollment.ledger_rows import Label, parse_day
from jiuzhu.apps.regions.codes import in_subtree
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.core.validation import problem, problems, validate_rows
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.monitoring import CATEGORIES

from .models import LowIncomeEntry
from .register_columns import CATEGORY_CODES, header_of

_NUMBER = re.compile(r"^[Hh]?0*(\d{1,18})$")
_CHUNK = 900
NOTE_MAX = 300
NOT_FOUND = "登记库中没有此家庭，或不在本次导入的区划和您的管辖范围内"


@dataclass
class EntryPlan:
    row: int
    household_id: int
    region_id: str
    category: str
    recognized_on: date
    valid_until: date | None
    note: str


class RegisterRow(BaseModel):
    """One row of the register spreadsheet (keys are the columns' keys), validated through the one
    translator (``core.validation.validate_rows``); context ``today``: the import's day."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)

    household: int | None = None
    head_id: str = ""
    head_name: str = ""
    category: Label(CATEGORY_CODES, "“{text}”不是有效类别，应为 低保边缘 / 刚性支出困难 / 临时救助",  # type: ignore[valid-type]
                    required="类别不能为空") = ""
    recognized_on: date | None = None
    valid_until: date | None = None
    note: str = ""

    @field_validator("household", mode="before")
    @classmethod
    def _household(cls, value):
        text = cell_text(value)
        number = household_number(text) if text else None
        if text and number is None:
            raise problem("invalid", f"家庭编号“{text}”格式错误，应为 H 加数字（如 H00000012）")
        return number

    @field_validator("head_id", mode="before")
    @classmethod
    def _head_id(cls, value):
        if numeric_digits_lost(value):
            raise problem("numeric", "身份证号须以文本格式填写（数字格式会丢失末几位）")
        if not cell_text(value):
            return ""
        try:
            return idcard.parse(cell_text(value)).value
        except ValidationFailed as exc:
            raise problem(exc.code, exc.message) from None

    @field_validator("head_name", "note", mode="before")
    @classmethod
    def _text(cls, value):
        return cell_text(value)

    @field_validator("recognized_on", mode="before")
    @classmethod
    def _recognized(cls, value, info: ValidationInfo):
        day = _day("recognized_on", value, required=True)
        today = (info.context or {}).get("today")
        if day and today and day > today:
            raise problem("date_in_future", f"认定日期 {day.isoformat()} 不能晚于导入日期 {today.isoformat()}")
        return day

    @field_validator("valid_until", mode="before")
    @classmethod
    def _until(cls, value, info: ValidationInfo):
        until = _day("valid_until", value, required=False)
        recognized = info.data.get("recognized_on")
        if recognized and until and until < recognized:
            raise problem("before_recognized",
                          f"有效期至 {until.isoformat()} 不能早于认定日期 {recognized.isoformat()}")
        return until

    @field_validator("note")
    @classmethod
    def _note(cls, note: str):
        if len(note) > NOTE_MAX:
            raise problem("too_long", f"说明过长：{len(note)} 字，最多 {NOTE_MAX} 字")
        if any(c < " " and c not in "\t\n" for c in note) or any("\ud800" <= c <= "\udfff" for c in note):
            raise problem("invalid", "说明含有控制字符或无效字符")
        return note

    @model_validator(mode="wrap")
    @classmethod
    def _either(cls, data, handler):
        named = isinstance(data, dict) and (cell_text(data.get("household")) or cell_text(data.get("head_id")))
        if named:
            return handler(data)
        missing = [(("household",), "required", "家庭编号和户主身份证号至少填写一项")]
        try:
            handler(data)
        except ValidationError as exc:
            raise problems(cls, missing, before=exc) from None
        raise problems(cls, missing)


class _Collector:
    def __init__(self, items):
        self.items: list[LedgerError] = list(items)

    def add(self, row: int, key: str, message: str):
        self.items.append(LedgerError(row, header_of(key) if key else "", message))


def household_number(text: str) -> int | None:
    """H00000012, h12 or 12 → 12; anything else → None."""
    m = _NUMBER.match(text.strip())
    return int(m[1]) if m and 0 < int(m[1]) < 2**63 else None


def _day(key: str, value, *, required: bool) -> date | None:
    if cell_text(value) == "":
        if required:
            raise problem("required", f"{header_of(key)}不能为空")
        return None
    day = parse_day(value)
    if day is None:
        raise problem("invalid", f"“{cell_text(value)}”不是有效日期，应为 YYYY-MM-DD（如 2026-03-01）或日期格式单元格")
    return day


def _chunks(values: list):
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _households(rows: list[tuple[int, RegisterRow]]) -> tuple[dict[int, dict], dict[str, dict]]:
    """(by id, by head ID number) of the households the rows name, looked up in chunks."""
    fields = ("id", "region_id", "head_name")
    by_id: dict[int, dict] = {}
    for chunk in _chunks(sorted({r.household for _, r in rows if r.household})):
        by_id.update({h["id"]: h for h in Household.objects.filter(pk__in=chunk).values(*fields)})
    index = {pii.id_number_index(r.head_id): r.head_id for _, r in rows if r.head_id}
    by_head: dict[str, dict] = {}
    for chunk in _chunks(list(index)):
        persons = dict(Person.objects.filter(id_number_bidx__in=chunk).values_list("id", "id_number_bidx"))
        heads = (Household.objects.filter(head_id__in=list(persons), memberships__person_id=F("head_id"),
                                          memberships__end_date__isnull=True).values(*fields, "head_id"))
        for h in heads:
            by_head[index[persons[h.pop("head_id")]]] = h
    return by_id, by_head


def _visible(h: dict | None, region_code: str, actor) -> dict | None:
    if h is None or not in_subtree(h["region_id"], region_code):
        return None
    return h if actor is None or in_scope(actor, h["region_id"]) else None


def _existing(household_ids: list[int]) -> set[tuple]:
    out: set[tuple] = set()
    for chunk in _chunks(sorted(set(household_ids))):
        out.update(LowIncomeEntry.objects.filter(household_id__in=chunk)
                   .values_list("household_id", "category", "recognized_on"))
    return out


def validate_register(sheet: LedgerSheet, *, region_code: str, actor, as_of: date) -> tuple[list[EntryPlan], list[LedgerError]]:
    """Every row checked; returns (entries to write, errors sorted by row). Nothing is written."""
    errors = _Collector(sheet.errors)
    rows, problems_ = validate_rows(RegisterRow, sheet.rows, today=as_of)
    for p in problems_:
        errors.add(p["row"], p["field"], p["message"])
    by_id, by_head = _households(rows)
    resolved: list[tuple[int, RegisterRow, dict, str]] = []
    for number, r in rows:
        by_number = _visible(by_id.get(r.household), region_code, actor) if r.household else None
        by_id_number = _visible(by_head.get(r.head_id), region_code, actor) if r.head_id else None
        if r.household and by_number is None:
            errors.add(number, "household", NOT_FOUND)
            continue
        if r.head_id and by_id_number is None:
            errors.add(number, "head_id", "登记库中没有以此身份证号为户主的家庭，或不在本次导入的区划和您的管辖范围内")
            continue
        if by_number and by_id_number and by_number["id"] != by_id_number["id"]:
            errors.add(number, "head_id", f"此身份证号不是家庭编号 H{by_number['id']:08d} 的户主")
            continue
        h = by_number or by_id_number
        if r.head_name and r.head_name != h["head_name"]:
            errors.add(number, "head_name", f"户主姓名“{r.head_name}”与登记库中该户的户主姓名不一致")
            continue
        resolved.append((number, r, h, "household" if r.household else "head_id"))
    existing = _existing([h["id"] for _, _, h, _ in resolved])
    first: dict[tuple, int] = {}
    plans: list[EntryPlan] = []
    for number, r, h, key_column in resolved:
        recognized = cast(date, r.recognized_on)  # required by RegisterRow
        key = (h["id"], r.category, recognized)
        if key in first:
            errors.add(number, key_column, f"与第{first[key]}行重复（同一家庭、类别和认定日期）")
            continue
        first[key] = number
        if key in existing:
            errors.add(number, key_column, f"该家庭已登记为{CATEGORIES[r.category]}（认定日期 {recognized.isoformat()}），"
                                           "不能重复登记")
            continue
        plans.append(EntryPlan(number, h["id"], h["region_id"], r.category, recognized, r.valid_until, r.note))
    return plans, sorted(errors.items, key=lambda e: (e.row, e.column))
