"""Import an existing enrollment ledger (台账, docs/ledger-xlsx.md): every row validated first, then
all households, persons, memberships and enrollments written at once (COPY on PostgreSQL,
executemany on SQLite; personal data sealed as the registry does), one audit event for the import.
One bad row: nothing is written and the error report names each row and column."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.bulk import allocate_ids, bulk_insert
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.codes import is_valid_code
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.core.crypto import keyring
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .ledger_read import LedgerError, LedgerSheet, read_ledger, write_error_report
from .ledger_validate import HouseholdPlan, validate_ledger
from .models import Enrollment

IMPORT_NOTE = "台账导入"
_PERSON = ("id", "name", "id_number_enc", "id_number_bidx", "id_number_masked", "birth_date", "sex", "phone_enc",
           "phone_masked", "hukou_region_id", "disability_kind", "disability_grade", "health", "employment", "wage",
           "business", "property_income", "transfer", "created_at", "updated_at")
_HOUSEHOLD = ("id", "region_id", "residence_region_id", "area_type", "address", "head_id", "head_name", "member_count",
              "bank_account_enc", "bank_account_masked", "bank_name", "financial_assets", "vehicle_count",
              "max_vehicle_value", "residential_properties", "business_capital", "version", "created_at", "updated_at")
_MEMBERSHIP = ("id", "household_id", "person_id", "relation", "co_resident", "start_date", "end_date", "end_reason",
               "note")
_ENROLLMENT = ("program", "household_id", "person_id", "region_id", "klass", "amount", "persons", "start_month",
               "status", "next_recheck", "decided_on", "version", "created_at", "updated_at")


def check_importer(actor, region_code: str) -> None:
    if not is_valid_code(region_code or "") or not Region.objects.filter(code=region_code).exists():
        raise ValidationFailed("ledger.region", f"区划代码“{region_code}”不存在（参数：region）", field="region")
    if actor is None:
        return
    if not can(actor, "enrollment.ledger_import"):
        raise Forbidden("forbidden", "您的角色无权导入或导出在保对象台账")
    if not in_scope(actor, region_code):
        raise NotFound("not_found", f"区划 {region_code} 不在您的管辖范围内", field="region")


def ledger_check(*, actor, path: str | Path, region_code: str, as_of: date) -> tuple[LedgerSheet, list[HouseholdPlan], list[LedgerError]]:
    """Read and validate without writing."""
    check_importer(actor, region_code)
    sheet = read_ledger(path)
    if sheet.errors and not sheet.rows:
        return sheet, [], sheet.errors
    plans, errors = validate_ledger(sheet, region_code=region_code, actor=actor, as_of=as_of)
    return sheet, plans, errors


def ledger_import(*, actor, path: str | Path, region_code: str, as_of: date | None = None, dry_run: bool = False,
                  error_report: str | Path | None = None, progress=None) -> dict:
    """Import the ledger at ``path`` into ``region_code``'s subtree; all rows or none.

    Raises ``ValidationFailed`` (code ``ledger.invalid_rows``, ``details["errors"]`` = [{row, column,
    message, text}]) when any row is bad, after writing ``error_report`` (the rows plus a 错误 column)
    if given. ``dry_run`` validates only."""
    step = progress or (lambda label, done, total: None)
    as_of = as_of or timezone.localdate()
    step("校验", 0, 1)
    sheet, plans, errors = ledger_check(actor=actor, path=path, region_code=region_code, as_of=as_of)
    step("校验", 1, 1)
    if errors:
        if error_report:
            write_error_report(sheet, errors, error_report)
        rows = len({e.row for e in errors if e.row > 1})
        raise ValidationFailed("ledger.invalid_rows", f"导入失败：{len(errors)} 处错误（涉及 {rows} 行数据），未导入任何数据；"
                               f"首个错误：{errors[0].text()}", field="file", errors=[e.as_dict() for e in errors])
    counts = {"rows": len(sheet.rows), "households": len(plans), "persons": sum(len(p.inp.members) for p in plans),
              "enrollments": sum(len(p.enrollments) for p in plans), "dry_run": dry_run}
    if dry_run:
        return counts
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    try:
        with transaction.atomic():
            # audited first: its head-row update takes the write lock (SQLite) before ids are allocated
            audit_record(actor=actor, action="ledger.import", subject_type="region", subject_id=region_code,
                         region_code=region_code, after={k: v for k, v in counts.items() if k != "dry_run"},
                         details={"file": Path(path).name, "sha256": digest, **{k: v for k, v in counts.items()
                                                                               if k != "dry_run"}})
            _write(plans, as_of, step)
    except IntegrityError:
        raise Conflict("ledger.concurrent", "导入期间有成员被登记到其他家庭，未导入任何数据；请重新导入", field="file") from None
    return counts


def _write(plans: list[HouseholdPlan], as_of: date, step) -> None:
    ring = keyring()
    now = timezone.now()
    n_persons = sum(len(p.inp.members) for p in plans)
    person_ids = iter(allocate_ids(Person, n_persons))
    membership_ids = iter(allocate_ids(Membership, n_persons))
    household_ids = iter(allocate_ids(Household, len(plans)))
    persons, households, memberships, enrollments = [], [], [], []
    for done, plan in enumerate(plans, start=1):
        inp = plan.inp
        hid = next(household_ids)
        by_number = {}
        for member, incomes in zip(inp.members, plan.incomes):
            pid = by_number[member.id_number] = next(person_ids)
            persons.append((
                pid, member.name, ring.encrypt(member.id_number, purpose="id_number"), ring.blind_index(member.id_number, purpose="id_number"),
                idcard.mask(member.id_number), member.birth_date, member.sex,
                ring.encrypt(member.phone, purpose="phone") if member.phone else "", idcard.mask(member.phone) if member.phone else "",
                inp.region_code, member.disability_kind, member.disability_grade, member.health, member.employment,
                incomes["wage"], incomes["business"], incomes["property_income"], incomes["transfer"], now, now))
            memberships.append((next(membership_ids), hid, pid, member.relation, member.co_resident, as_of, None, "",
                                IMPORT_NOTE))
        head = next(m for m in inp.members if m.relation == "head")
        households.append((
            hid, inp.region_code, inp.residence_region_code, inp.area_type, inp.address, by_number[head.id_number],
            head.name, len(inp.members), ring.encrypt(inp.bank_account, purpose="bank_account") if inp.bank_account else "",
            idcard.mask(inp.bank_account) if inp.bank_account else "", inp.bank_name, 0, 0, 0, 0, 0, 1, now, now))
        for e in plan.enrollments:
            person = by_number[e.person_id_number] if e.person_id_number else None
            enrollments.append((e.program, hid, person, inp.region_code, e.klass, e.amount, e.persons, e.start_month,
                                e.status, e.next_recheck, e.decided_on, 1, now, now))
        if done % 2000 == 0:
            step("加密与整理", done, len(plans))
    step("加密与整理", len(plans), len(plans))
    bulk_insert(Person, _PERSON, persons)
    step("写入", 1, 4)
    bulk_insert(Household, _HOUSEHOLD, households)
    step("写入", 2, 4)
    bulk_insert(Membership, _MEMBERSHIP, memberships)
    step("写入", 3, 4)
    bulk_insert(Enrollment, _ENROLLMENT, enrollments)
    step("写入", 4, 4)
