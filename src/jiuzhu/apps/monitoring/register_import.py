"""Import the low-income register from a county's Excel list (columns in docs/monitoring.md): every row
validated first, then all entries written at once (COPY on PostgreSQL, executemany on SQLite) with one
``lowincome.register`` audit event per entry and one ``lowincome.import`` for the file, in one
transaction. One bad row: nothing is written and the errors name each row and column."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.bulk import allocate_ids, audit_record_many, bulk_insert
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.ledger_read import (
    LedgerError,
    LedgerSheet,
    write_error_report,
)
from jiuzhu.apps.regions.codes import is_valid_code
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .models import LowIncomeEntry
from .register_columns import read_register
from .register_validate import EntryPlan, validate_register

_ENTRY = ("id", "household_id", "region_id", "category", "recognized_on", "valid_until", "note", "created_by_id",
          "created_at")


def check_registrar(actor, region_code: str, permission: str = "lowincome.register", what: str = "登记低收入人口") -> str:
    """The region of an import or export: a valid, existing code in the actor's scope, for one of
    ``permission`` (actor None: the operator on the command line)."""
    code = str(region_code or "").strip()
    if not is_valid_code(code):
        raise ValidationFailed("monitor.region", f"区划代码“{code}”格式错误，应为12位数字（参数：region）", field="region")
    if not Region.objects.filter(pk=code).exists():
        raise ValidationFailed("monitor.region", f"区划“{code}”不存在（参数：region）", field="region")
    if actor is None:
        return code
    if not can(actor, permission):
        raise Forbidden("monitor.role", f"您的角色不能{what}（须由村(居)协理员、乡镇经办人或县民政办理）")
    if not in_scope(actor, code):
        raise NotFound("not_found", f"区划 {code} 不存在或不在您的管辖范围内", field="region")
    return code


def register_check(*, actor, path: str | Path, region_code: str, as_of: date) -> tuple[LedgerSheet, list[EntryPlan], list[LedgerError]]:
    """Read and validate without writing."""
    code = check_registrar(actor, region_code)
    sheet = read_register(path)
    if sheet.errors:  # the file or its header row: the rows cannot be read reliably
        return sheet, [], sheet.errors
    plans, errors = validate_register(sheet, region_code=code, actor=actor, as_of=as_of)
    return sheet, plans, errors


def register_import(*, actor, path: str | Path, region_code: str, now: datetime | None = None, dry_run: bool = False,
                    error_report: str | Path | None = None, progress=None) -> dict:
    """Import the register list at ``path`` into ``region_code``'s subtree; all rows or none.

    Raises ``ValidationFailed`` (code ``monitor.invalid_rows``, ``details["errors"]`` = [{row, column,
    message, text}]) when any row is bad, after writing ``error_report`` if given."""
    step = progress or (lambda label, done, total: None)
    now = now or timezone.now()
    as_of = timezone.localtime(now).date()
    step("校验", 0, 1)
    sheet, plans, errors = register_check(actor=actor, path=path, region_code=region_code, as_of=as_of)
    step("校验", 1, 1)
    if errors:
        if error_report and sheet.headers:
            write_error_report(sheet, errors, error_report)
        rows = len({e.row for e in errors if e.row > 1})
        raise ValidationFailed("monitor.invalid_rows", f"导入失败：{len(errors)} 处错误（涉及 {rows} 行数据），未导入任何数据；"
                               f"首个错误：{errors[0].text()}", field="file", errors=[e.as_dict() for e in errors])
    counts = {"rows": len(plans), "households": len({p.household_id for p in plans})}
    for code in ("edge", "rigid_expenditure", "temporary"):
        counts[code] = sum(p.category == code for p in plans)
    if dry_run:
        return {**counts, "dry_run": True}
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    creator = actor.pk if getattr(actor, "pk", None) else None
    code = str(region_code).strip()
    try:
        with transaction.atomic():
            # audited first: its head-row update takes the write lock (SQLite) before ids are allocated
            audit_record(actor=actor, action="lowincome.import", subject_type="region", subject_id=code,
                         region_code=code, after=counts, details={"file": Path(path).name, "sha256": digest, **counts},
                         at=now)
            ids = allocate_ids(LowIncomeEntry, len(plans))
            bulk_insert(LowIncomeEntry, _ENTRY, [
                (i, p.household_id, p.region_id, p.category, p.recognized_on, p.valid_until, p.note, creator, now)
                for i, p in zip(ids, plans)])
            step("写入", 1, 2)
            audit_record_many(actor=actor, at=now, events=[
                {"action": "lowincome.register", "subject_type": "lowincome_entry", "subject_id": i,
                 "region_code": p.region_id, "details": {"import": digest, "row": p.row},
                 "after": {"category": p.category, "household": p.household_id,
                           "recognized_on": p.recognized_on.isoformat()}}
                for i, p in zip(ids, plans)])
            step("写入", 2, 2)
    except IntegrityError:
        raise Conflict("monitor.import_concurrent", "导入期间登记表被同时修改，未导入任何数据；请重新导入", field="file") from None
    return {**counts, "dry_run": False}
