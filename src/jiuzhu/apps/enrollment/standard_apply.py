"""Apply an approved standard change: the approved preview's ``adjust`` rows become, in one
transaction, EnrollmentChange rows (kind ``standard``, effective the start month, legal ground = the
standard's source), the new amount and class on each enrollment (version checked, bulk UPDATE), one
audit event per adjusted enrollment (bulk hash chain) and one for the change. Idempotent: a change
already applied is reported and nothing is written again.

The approved numbers are applied exactly: if any live enrollment of the region changed, appeared or
ended since the preview, nothing is applied and a new preview and approval are required.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.apps.audit.bulk import audit_record_many, bulk_insert
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.rules.errors import Conflict

from .models import Enrollment, EnrollmentChange
from .models_standard import StandardChange
from .standard import change_get, describe, policy_with_change
from .standard_preview import read_preview
from .standard_snapshot import live_state

CHUNK = 20_000
_CHANGE_COLUMNS = ("enrollment_id", "kind", "old_amount", "new_amount", "old_status", "new_status", "old_class",
                   "new_class", "effective_month", "reason", "legal_ground", "source", "actor_id", "at")


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _check_not_stale(change: StandardChange, rows: pa.Table) -> None:
    current = live_state(change.region_id)
    same = current.num_rows == rows.num_rows
    if same and rows.num_rows:
        for column in ("enrollment_id", "version", "status"):
            if not pc.all(pc.equal(current[column], rows[column])).as_py():
                same = False
                break
        if same and not pc.all(pc.equal(current["amount_fen"], rows["old_fen"])).as_py():
            same = False
    if not same:
        now_ids = set(current["enrollment_id"].to_pylist())
        then_ids = set(rows["enrollment_id"].to_pylist())
        raise Conflict("standard.stale_preview",
                       f"自预览以来在保对象已有变化（新增 {len(now_ids - then_ids)} 个、减少 {len(then_ids - now_ids)} 个，"
                       "或金额、状态已变更），未作任何调整；请重新生成预览并审批", field="preview",
                       added=len(now_ids - then_ids), removed=len(then_ids - now_ids))


def _update_enrollments(adjust: pa.Table, now) -> int:
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    ids, versions = adjust["enrollment_id"].to_pylist(), adjust["version"].to_pylist()
    amounts = [_yuan(f) for f in adjust["new_fen"].to_pylist()]
    classes = adjust["new_class"].to_pylist()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("CREATE TEMP TABLE jz_standard_apply (id bigint, version bigint, amount numeric(14,2), "
                        "klass varchar(2)) ON COMMIT DROP")
            with cur.cursor.copy("COPY jz_standard_apply (id, version, amount, klass) FROM STDIN") as copy:
                for row in zip(ids, versions, amounts, classes):
                    copy.write_row(row)
            cur.execute(f"UPDATE {table} e SET amount = t.amount, klass = t.klass, version = e.version + 1, "
                        "updated_at = %s FROM jz_standard_apply t WHERE e.id = t.id AND e.version = t.version", [now])
            count = cur.rowcount
            cur.execute("DROP TABLE jz_standard_apply")
            return count
        field = Enrollment._meta.get_field
        at = field("updated_at").get_db_prep_save(now, connection)
        prep = field("amount").get_db_prep_save
        cur.executemany(f"UPDATE {table} SET amount = %s, klass = %s, version = version + 1, updated_at = %s "
                        "WHERE id = %s AND version = %s",
                        [(prep(a, connection), k, at, i, v) for a, k, i, v in zip(amounts, classes, ids, versions)])
        return cur.rowcount


def standard_apply(*, actor, change_id: int, now=None, progress=None) -> dict:
    """Apply the approved preview of ``change_id``; returns counts. See the module docstring."""
    now = now or timezone.now()
    step = progress or (lambda label, done, total: None)
    with transaction.atomic():
        change = change_get(actor=actor, change_id=change_id, lock=True)
        if change.status == StandardChange.Status.APPLIED:
            return {"change": change.pk, "already_applied": True, "adjusted": 0, "applied_count": change.applied_count}
        if change.status != StandardChange.Status.APPROVED:
            raise Conflict("standard.not_approved", f"标准调整 {change.pk} 尚未审批，不能应用（经办与审批须由不同人员完成）",
                           field="status")
        policy_with_change(change)  # still valid beside the changes applied since (start after them, bounds)
        rows = read_preview(change, change.approved_sha256)
        step("核对预览与当前数据", 0, 1)
        _check_not_stale(change, rows)
        adjust = rows.filter(pc.equal(rows["action"], "adjust"))
        total = adjust.num_rows
        month = change.start_date.replace(day=1)
        reason = f"标准调整：{describe(change)}"
        legal = change.source[:300]
        actor_id = getattr(actor, "pk", None)
        done = 0
        for offset in range(0, max(total, 1), CHUNK):
            part = adjust.slice(offset, CHUNK)
            if not part.num_rows:
                break
            updated = _update_enrollments(part, now)
            if updated != part.num_rows:
                raise Conflict("standard.stale_preview", "有在保对象在调整过程中被修改，未作任何调整；请重新预览并审批",
                               field="preview")
            old_fen, new_fen = part["old_fen"].to_pylist(), part["new_fen"].to_pylist()
            old_cls, new_cls = part["old_class"].to_pylist(), part["new_class"].to_pylist()
            status, ids = part["status"].to_pylist(), part["enrollment_id"].to_pylist()
            villages = part["village"].to_pylist()
            bulk_insert(EnrollmentChange, _CHANGE_COLUMNS, [
                (i, EnrollmentChange.Kind.STANDARD, _yuan(o), _yuan(n), s, s, oc, nc, month, reason, legal,
                 f"standard:{change.pk}", actor_id, now)
                for i, o, n, s, oc, nc in zip(ids, old_fen, new_fen, status, old_cls, new_cls)])
            audit_record_many(actor=actor, at=now, events=[
                {"action": "enrollment.standard_adjust", "subject_type": "enrollment", "subject_id": i,
                 "region_code": v, "before": {"amount": str(_yuan(o)), "class": oc},
                 "after": {"amount": str(_yuan(n)), "class": nc},
                 "details": {"standard_change": change.pk, "effective_month": month.isoformat()}}
                for i, o, n, oc, nc, v in zip(ids, old_fen, new_fen, old_cls, new_cls, villages)])
            done += part.num_rows
            step("写入调整", done, total)
        change.status, change.applied_by, change.applied_at, change.applied_count = "applied", actor, now, total
        change.save(update_fields=["status", "applied_by", "applied_at", "applied_count"])
        counts = change.preview_summary.get("counts", {})
        audit_record(actor=actor, action="standard.apply", subject_type="standard_change", subject_id=change.pk,
                     region_code=change.region_id, at=now,
                     after={"status": "applied", "adjusted": total, "sha256": change.approved_sha256},
                     details={"adjusted": total, "review": int(counts.get("review", 0)),
                              "effective_month": month.isoformat(), "diff": change.preview_summary.get("diff", "")})
    step("完成", total, total)
    return {"change": change.pk, "already_applied": False, "adjusted": total, "applied_count": total,
            "review": int(counts.get("review", 0)), "effective_month": month.isoformat()}
