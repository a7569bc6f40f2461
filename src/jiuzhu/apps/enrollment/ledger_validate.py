"""Validation of every ledger row before anything is written: each error names the spreadsheet row and
column. Members go through the registry's own input rules (apps/registry/inputs.clean_household);
the ledger adds household consistency, enrollment fields, regions in scope and duplicates inside
the file and against the registry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.apps.regions.codes import in_subtree
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.inputs import HouseholdInput, MemberInput, clean_household
from jiuzhu.apps.registry.models import Membership, Person
from jiuzhu.core.validation import validate_rows
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import ValidationFailed

from .ledger_columns import (
    AREA_TYPES,
    DISABILITIES,
    ENROLLMENT_KEYS,
    HEALTHS,
    HOUSEHOLD_KEYS,
    RELATIONS,
    YES,
)
from .ledger_read import (
    LedgerError,
    LedgerSheet,
    cell_text,
    header_of,
    numeric_digits_lost,
)
from .ledger_rows import EnrollmentRow, MemberRow, parse_day, parse_month

_MEMBER_FIELDS = {"name": "name", "id_number": "id_number", "relation": "relation", "phone": "phone",
                  "disability_kind": "disability_kind", "disability_grade": "disability_grade", "health": "health",
                  "co_resident": "co_resident"}
_HOUSEHOLD_FIELDS = {"region_code": "village", "residence_region_code": "village", "area_type": "area_type",
                     "address": "address", "bank_account": "bank_account", "bank_name": "bank_name",
                     "members": "relation"}


@dataclass
class EnrollmentPlan:
    row: int
    program: str
    person_id_number: str | None  # None: the household's dibao enrollment
    klass: str
    amount: Decimal
    persons: int
    start_month: date
    status: str
    decided_on: date
    next_recheck: date | None


@dataclass
class HouseholdPlan:
    head_row: int
    inp: HouseholdInput
    rows: list[int]  # member rows, in the order of inp.members
    incomes: list[dict]
    enrollments: list[EnrollmentPlan] = field(default_factory=list)


class _Collector:
    def __init__(self):
        self.items: list[LedgerError] = []

    def add(self, row: int, key: str, message: str):
        self.items.append(LedgerError(row, header_of(key) if key else "", message))


def _member_dict(values: dict) -> dict:
    relation = cell_text(values.get("relation"))
    kind = cell_text(values.get("disability_kind"))
    health = cell_text(values.get("health"))
    return {"name": cell_text(values.get("name")), "id_number": cell_text(values.get("id_number")),
            "relation": RELATIONS.get(relation, relation), "phone": cell_text(values.get("phone")),
            "disability_kind": DISABILITIES.get(kind, kind), "disability_grade": cell_text(values.get("disability_grade")) or 0,
            "health": HEALTHS.get(health, health), "co_resident": YES.get(cell_text(values.get("co_resident")), True)}


def _rows(errors, model, rows: list[tuple[int, dict]], **context) -> list:
    """The rows validated with ``model`` (None where a row failed); the problems go to ``errors``."""
    good, problems = validate_rows(model, rows, today=context.pop("today"), context=context)
    for p in problems:
        errors.add(p["row"], p["field"], p["message"])
    valid = dict(good)
    return [valid.get(r) for r, _ in rows]


def _enrollment(errors, row, values, *, is_head, id_number, members: int, as_of) -> EnrollmentPlan | None:
    (e,) = _rows(errors, EnrollmentRow, [(row, values)], today=as_of, is_head=is_head, members=members)
    if e is None:
        return None
    return EnrollmentPlan(row, e.code, id_number if e.per_person else None, e.klass, e.amount, e.persons,
                          e.start_month, e.status, e.decided_on, e.next_recheck)


def _household(errors, group: list[tuple[int, dict]], head_id: str, as_of) -> HouseholdPlan | None:
    n = len(errors.items)
    heads = [(r, v) for r, v in group if idcard.normalize(cell_text(v.get("id_number"))) == head_id]
    if not heads:
        errors.add(group[0][0], "head_id", "本户没有户主本人的行（成员身份证号与户主身份证号相同的行）")
        return None
    head_row, head = heads[0]
    head_name = cell_text(head.get("name"))
    for r, v in group:
        if cell_text(v.get("head_name")) != head_name:
            errors.add(r, "head_name", f"户主姓名应与户主行（第{head_row}行）的成员姓名“{head_name}”一致")
        for key in HOUSEHOLD_KEYS:
            if r != head_row and cell_text(v.get(key)) not in ("", cell_text(head.get(key))):
                errors.add(r, key, f"与户主行（第{head_row}行）不一致：同户只在户主行填写或填写相同内容")
    area = cell_text(head.get("area_type"))
    if area not in AREA_TYPES:
        errors.add(head_row, "area_type", f"城乡类别“{area}”应为 城镇 或 农村")
    if numeric_digits_lost(head.get("bank_account")):
        errors.add(head_row, "bank_account", "银行账号须以文本格式填写（数字格式会丢失末几位）")
    members = [_member_dict(v) for _, v in group]
    member_rows = _rows(errors, MemberRow, group, today=as_of)
    data = {"region_code": cell_text(head.get("village")), "residence_region_code": cell_text(head.get("village")),
            "area_type": AREA_TYPES.get(area, area), "address": cell_text(head.get("address")),
            "bank_account": cell_text(head.get("bank_account")), "bank_name": cell_text(head.get("bank_name")),
            "members": members}
    inp = None
    try:
        inp = clean_household(data, as_of=as_of)
    except ValidationFailed as exc:
        for item in exc.details.get("errors", [{"field": exc.details.get("field", ""), "message": exc.message}]):
            m = re.match(r"^members\[(\d+)\]\.(\w+)$", item["field"])
            if m:
                errors.add(group[int(m[1])][0], _MEMBER_FIELDS.get(m[2], "name"), item["message"])
            else:
                errors.add(head_row, _HOUSEHOLD_FIELDS.get(item["field"], "village"), item["message"])
    incomes = [m.incomes() if m else {} for m in member_rows]
    enrollments = []
    for r, v in group:
        if any(cell_text(v.get(k)) for k in ENROLLMENT_KEYS):
            member_id = idcard.normalize(cell_text(v.get("id_number")))
            e = _enrollment(errors, r, v, is_head=(r == head_row), id_number=member_id, members=len(members),
                            as_of=as_of)
            if e:
                enrollments.append(e)
    if not any(any(cell_text(v.get(k)) for k in ENROLLMENT_KEYS) for _, v in group):
        errors.add(head_row, "program", "本户没有保障信息（低保填在户主行，特困、单人施保填在本人的行）")
    if len(errors.items) > n or inp is None:
        return None
    return HouseholdPlan(head_row, inp, [r for r, _ in group], incomes, enrollments)


def _check_regions(errors, plans: list[HouseholdPlan], region_code: str, actor) -> None:
    codes = {p.inp.region_code for p in plans}
    levels = dict(Region.objects.filter(code__in=codes).values_list("code", "level"))
    for p in plans:
        code = p.inp.region_code
        if code not in levels:
            errors.add(p.head_row, "village", f"区划代码 {code} 不存在")
        elif levels[code] != 5:
            errors.add(p.head_row, "village", f"区划代码 {code} 不是村(居)一级")
        elif not in_subtree(code, region_code) or (actor is not None and not in_scope(actor, code)):
            errors.add(p.head_row, "village", f"区划代码 {code} 不在本次导入的区划 {region_code} 或您的管辖范围内")


def _check_registry(errors, rows_by_id: dict[str, int], actor=None) -> None:
    index = {pii.id_number_index(n): n for n in rows_by_id}
    keys = list(index)
    for start in range(0, len(keys), 900):
        chunk = keys[start:start + 900]
        found = dict(Person.objects.filter(id_number_bidx__in=chunk).values_list("id_number_bidx", "id"))
        households = {pid: (hid, region) for pid, hid, region in Membership.objects.filter(
            person_id__in=found.values(), end_date__isnull=True).values_list("person_id", "household_id",
                                                                            "household__region_id")}
        for bidx, person_id in found.items():
            hid, region = households.get(person_id, (None, ""))
            if hid is None:
                where = ""
            elif actor is None or in_scope(actor, region):
                where = f"（已是家庭 H{hid:08d} 的成员）"
            else:  # another region's household: that it exists, nothing about it
                where = "（已是其他地区某家庭的成员）"
            errors.add(rows_by_id[index[bidx]], "id_number", f"此人已在登记库中{where}；台账导入只登记新家庭")


def validate_ledger(sheet: LedgerSheet, *, region_code: str, actor, as_of: date) -> tuple[list[HouseholdPlan], list[LedgerError]]:
    """Every row checked; returns (households to write, errors sorted by row). Nothing is written."""
    errors = _Collector()
    errors.items.extend(sheet.errors)
    groups: dict[str, list] = {}
    first_row: dict[str, tuple[int, str]] = {}
    for number, values in sheet.rows:
        head_id = idcard.normalize(cell_text(values.get("head_id")))
        member_id = idcard.normalize(cell_text(values.get("id_number")))
        for key in ("head_id", "id_number"):
            if numeric_digits_lost(values.get(key)):
                errors.add(number, key, "身份证号须以文本格式填写（数字格式会丢失末几位）")
        if not head_id:
            errors.add(number, "head_id", "户主身份证号不能为空")
            continue
        seen = first_row.get(member_id)
        if member_id and seen and seen[1] != head_id:  # within one household clean_household reports it
            errors.add(number, "id_number", f"与第{seen[0]}行的成员身份证号重复（同一人只能在一户）")
        first_row.setdefault(member_id, (number, head_id))
        groups.setdefault(head_id, []).append((number, values))
    plans = [p for head_id, group in groups.items() if (p := _household(errors, group, head_id, as_of))]
    if plans:
        _check_regions(errors, plans, region_code, actor)
        rows_by_id = {m.id_number: p.rows[i] for p in plans for i, m in enumerate(p.inp.members)}
        _check_registry(errors, rows_by_id, actor)
    return plans, sorted(errors.items, key=lambda e: (e.row, e.column))


__all__ = ["EnrollmentPlan", "HouseholdPlan", "MemberInput", "parse_day", "parse_month", "validate_ledger"]
