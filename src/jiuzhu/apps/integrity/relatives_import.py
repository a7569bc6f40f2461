"""The county imports the register of staff near relatives from an Excel list (columns in
docs/integrity.md): every row validated first (each error names its row and column), then all new entries
written at once with one ``relative.declare`` audit event each and one ``relative.import`` for the file, in
one transaction; one bad row and nothing is written. ``dry_run`` is the preview: the counts and the first
rows (names and ID numbers masked), nothing written. Runs as the background job
``integrity.relatives_import`` from the register page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role, can
from jiuzhu.apps.audit.bulk import allocate_ids, audit_record_many, bulk_insert
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.ledger_read import LedgerError, LedgerSheet, cell_text, numeric_digits_lost, read_sheet
from jiuzhu.apps.monitoring.register_columns import Column
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry import pii
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import Conflict, Forbidden, ValidationFailed

from .relatives import NAME_MAX, SUBJECT
from .relatives_models import RELATIONS, StaffRelative

COLUMNS = (
    Column("序号", "seq"),
    Column("工作人员账号", "staff", True),
    Column("工作人员姓名", "staff_name"),
    Column("近亲属姓名", "name", True),
    Column("关系", "relation", True),
    Column("身份证号", "id_number", True),
)
_BY_HEADER = {c.header: c for c in COLUMNS}
_HEADER = {c.key: c.header for c in COLUMNS}
# 关系: the glossary labels, the words county lists use and the codes
RELATION_CODES = {
    **{code: code for code in RELATIONS}, **{label: code for code, label in RELATIONS.items()},
    "丈夫": "spouse", "妻子": "spouse", "夫妻": "spouse",
    "父亲": "parent", "母亲": "parent",
    "儿子": "child", "女儿": "child",
    "兄弟": "sibling", "姐妹": "sibling", "哥哥": "sibling", "弟弟": "sibling", "姐姐": "sibling", "妹妹": "sibling",
    "祖父母": "grandparent", "外祖父母": "grandparent", "祖父": "grandparent", "祖母": "grandparent",
    "外祖父": "grandparent", "外祖母": "grandparent", "爷爷": "grandparent", "奶奶": "grandparent",
    "外公": "grandparent", "外婆": "grandparent",
    "孙子女": "grandchild", "外孙子女": "grandchild", "孙子": "grandchild", "孙女": "grandchild",
    "外孙": "grandchild", "外孙女": "grandchild",
}
STAFF_ROLES = (Role.VILLAGE, Role.CASEWORKER, Role.REVIEWER, Role.COUNTY)
PREVIEW_ROWS = 20
_FIELDS = ("id", "staff_id", "region_id", "name", "relation", "id_number_enc", "id_number_bidx", "id_number_masked",
           "source", "created_by_id", "created_at")


@dataclass
class Plan:
    row: int
    staff_id: int
    staff_label: str
    region_id: str
    name: str
    relation: str
    enc: str
    bidx: str
    masked: str


def check_importer(actor):
    if actor is not None and not can(actor, "relatives.import"):
        raise Forbidden("relative.import_role", "您的角色不能导入工作人员近亲属名单（须由县民政导入）")


def _staff(usernames: set[str]) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=usernames)}


def _row(add, number: int, values: dict, staff: dict[str, User], actor, today: date) -> Plan | None:
    errors_before = add.count
    username = cell_text(values.get("staff"))
    user = staff.get(username)
    if not username:
        add(number, "staff", "工作人员账号不能为空")
    elif user is None or not user.is_active or user.role not in STAFF_ROLES or not user.region_id \
            or (actor is not None and not in_scope(actor, user.region_id)):
        add(number, "staff", f"没有账号为“{username}”的在职工作人员，或不在您的管辖范围内")
        user = None
    staff_name = cell_text(values.get("staff_name"))
    if user is not None and staff_name and staff_name != (user.display_name or user.username):
        add(number, "staff_name", f"工作人员姓名“{staff_name}”与账号“{username}”的姓名不一致")
    name = cell_text(values.get("name"))
    if not name:
        add(number, "name", "近亲属姓名不能为空")
    elif len(name) > NAME_MAX:
        add(number, "name", f"近亲属姓名过长：{len(name)} 字，最多 {NAME_MAX} 字")
    elif any(c < " " for c in name) or any("\ud800" <= c <= "\udfff" for c in name):
        add(number, "name", "近亲属姓名含有控制字符或无效字符")
    label = cell_text(values.get("relation"))
    relation = RELATION_CODES.get(label, "")
    if not label:
        add(number, "relation", "关系不能为空")
    elif not relation:
        add(number, "relation", f"“{label}”不是近亲属关系，应为：{'、'.join(RELATIONS.values())}")
    raw = values.get("id_number")
    number_text = ""
    if numeric_digits_lost(raw):
        add(number, "id_number", "身份证号须以文本格式填写（数字格式会丢失末几位）")
    elif not cell_text(raw):
        add(number, "id_number", "身份证号不能为空")
    else:
        try:
            number_text = idcard.parse(cell_text(raw), as_of=today).value
        except ValidationFailed as exc:
            add(number, "id_number", exc.message)
    if add.count > errors_before or user is None:
        return None
    enc, bidx, masked = pii.seal(number_text, purpose="id_number")
    return Plan(number, user.pk, user.display_name or user.username, str(user.region_id), name, relation, enc, bidx, masked)


class _Errors:
    def __init__(self, items):
        self.items: list[LedgerError] = list(items)

    @property
    def count(self) -> int:
        return len(self.items)

    def __call__(self, row: int, key: str, message: str):
        self.items.append(LedgerError(row, _HEADER[key], message))


def relatives_check(*, actor, path: str | Path, today: date) -> tuple[LedgerSheet, list[Plan], int, list[LedgerError]]:
    """(sheet, new entries, rows already registered, errors): nothing is written."""
    check_importer(actor)
    sheet = read_sheet(path, COLUMNS, _BY_HEADER)
    if sheet.errors:
        return sheet, [], 0, sheet.errors
    add = _Errors([])
    staff = _staff({cell_text(v.get("staff")) for _, v in sheet.rows} - {""})
    plans = [p for number, values in sheet.rows if (p := _row(add, number, values, staff, actor, today))]
    first: dict[tuple, int] = {}
    unique: list[Plan] = []
    for p in plans:
        key = (p.staff_id, p.bidx)
        if key in first:
            add(p.row, "id_number", f"与第{first[key]}行重复（同一工作人员、同一身份证号）")
            continue
        first[key] = p.row
        unique.append(p)
    existing = set(StaffRelative.objects.filter(removed_at__isnull=True, staff_id__in={p.staff_id for p in unique})
                   .values_list("staff_id", "id_number_bidx"))
    new = [p for p in unique if (p.staff_id, p.bidx) not in existing]
    return sheet, new, len(unique) - len(new), sorted(add.items, key=lambda e: (e.row, e.column))


def _preview(plans: list[Plan]) -> list[dict]:
    return [{"row": p.row, "staff": p.staff_label, "name": pii.mask_name(p.name), "relation": RELATIONS[p.relation],
             "id_number": p.masked} for p in plans[:PREVIEW_ROWS]]


def relatives_import(*, actor, path: str | Path, now: datetime | None = None, dry_run: bool = False,
                     progress=None) -> dict:
    """Import the list at ``path``: all rows or none; rows already registered are left as they are.

    Raises ``ValidationFailed`` (code ``relative.invalid_rows``, ``details["errors"]`` = [{row, column,
    message, text}]) when any row is bad."""
    step = progress or (lambda label, done, total: None)
    now = now or timezone.now()
    step("校验", 0, 1)
    sheet, plans, unchanged, errors = relatives_check(actor=actor, path=path, today=timezone.localtime(now).date())
    step("校验", 1, 1)
    if errors:
        rows = len({e.row for e in errors if e.row > 1})
        raise ValidationFailed("relative.invalid_rows", f"导入失败：{len(errors)} 处错误（涉及 {rows} 行数据），未导入任何数据；"
                               f"首个错误：{errors[0].text()}", field="file", errors=[e.as_dict() for e in errors])
    counts = {"rows": len(plans) + unchanged, "new": len(plans), "unchanged": unchanged,
              "staff": len({p.staff_id for p in plans})}
    if dry_run:
        return {**counts, "dry_run": True, "preview": _preview(plans)}
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    creator = getattr(actor, "pk", None)
    region = getattr(actor, "region_id", "") or ""
    try:
        with transaction.atomic():
            audit_record(actor=actor, action="relative.import", subject_type="region", subject_id=region,
                         region_code=region, after=counts, details={"file": Path(path).name, "sha256": digest, **counts},
                         at=now)
            ids = allocate_ids(StaffRelative, len(plans))
            bulk_insert(StaffRelative, _FIELDS, [
                (i, p.staff_id, p.region_id, p.name, p.relation, p.enc, p.bidx, p.masked,
                 StaffRelative.Source.IMPORTED.value, creator, now) for i, p in zip(ids, plans)])
            step("写入", 1, 2)
            audit_record_many(actor=actor, at=now, events=[
                {"action": "relative.declare", "subject_type": SUBJECT, "subject_id": i, "region_code": p.region_id,
                 "details": {"import": digest, "row": p.row},
                 "after": {"staff": p.staff_id, "name": pii.mask_name(p.name), "relation": p.relation,
                           "id_number": p.masked, "source": "imported"}}
                for i, p in zip(ids, plans)])
            step("写入", 2, 2)
    except IntegrityError:
        raise Conflict("relative.import_concurrent", "导入期间登记被同时修改，未导入任何数据；请重新导入", field="file") from None
    return {**counts, "dry_run": False}


def relatives_import_job(job, progress) -> dict:
    """``integrity.relatives_import``: the list uploaded on the register page; all rows or none."""
    from jiuzhu.apps.jobs.uploads import upload_discard, upload_path

    p = job.params
    try:
        return relatives_import(actor=job.created_by, path=upload_path(p), now=timezone.now(),
                                dry_run=bool(p.get("dry_run")),
                                progress=lambda stage, done, total: progress(done, total, stage))
    finally:
        upload_discard(p["token"])
