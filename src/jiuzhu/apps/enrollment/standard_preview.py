"""Preview of a standard change: every live dibao and tekun enrollment of the region re-computed in
bulk under the policy with the new standard on its start date (columnar rules path), compared with
its current amount; totals by township and class. Kept as a Parquet file under
``settings.JIUZHU_FILES_DIR/standard/<id>/`` whose SHA-256 the approval binds to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.batch.dibao import evaluate_dibao_table
from jiuzhu.batch.engines import duckdb_connection
from jiuzhu.batch.standard import (
    ACTIONS,
    PREVIEW_SCHEMA,
    day_before,
    old_amounts_available,
    preview_tables,
    tekun_amounts,
    tekun_table,
)
from jiuzhu.rules.errors import Conflict
from jiuzhu.rules.standard_checks import standard_warnings

from .models_standard import StandardChange
from .standard import change_get, policy_with_change
from .standard_snapshot import snapshot, with_ages

REASON_WORDS = {
    "graduating": "渐退期内按原金额发放",
    "not_eligible": "按新标准和现有登记信息计算不再符合低保条件，须复核",
    "not_single": "按新标准计算不再符合单人户施保条件，须复核",
    "no_members": "家庭没有共同生活成员记录，须核实",
    "facts_changed": "现金额与原标准下按现有登记信息计算的金额不一致（家庭情况已变化），须复核后另行调整",
    "tekun_unmatched": "现金额与原标准下任一照料护理等级的供养金额不符，须人工核定",
}


@dataclass
class Preview:
    change: StandardChange
    rows: pa.Table  # PREVIEW_SCHEMA
    totals: pa.Table  # TOTALS_SCHEMA
    summary: dict


def _yuan(fen) -> str:
    fen = int(fen or 0)
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def preview_dir(change: StandardChange) -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / "standard" / str(change.pk)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def preview_file_ok(change: StandardChange, sha256: str | None = None) -> bool:
    path = Path(change.preview_path) if change.preview_path else None
    return bool(path and path.is_file() and _sha256(path) == (sha256 or change.preview_sha256))


def compute_preview(change: StandardChange, *, progress=None) -> tuple[pa.Table, pa.Table, dict]:
    """(rows, totals, summary) for ``change``; reads the database, writes nothing."""
    step = progress or (lambda label, done, total: None)
    before, after = policy_with_change(change)
    start = change.start_date
    step("读取在保对象快照", 0, 4)
    enrollments, households, persons = snapshot(change.region_id, start)
    step("按新标准计算", 1, 4)
    con = duckdb_connection()
    new = evaluate_dibao_table(persons, households, policy=after, as_of=start, con=con)
    old_day = day_before(start)
    old_ok = old_amounts_available(before, old_day)
    old = (evaluate_dibao_table(with_ages(persons, old_day), households, policy=before, as_of=old_day, con=con)
           if old_ok else None)
    tekun = tekun_table(tekun_amounts(before, old_day) if old_ok else {}, tekun_amounts(after, start))
    step("比对现金额并汇总", 2, 4)
    rows, totals = preview_tables(con, enrollments, new, old, tekun)
    step("生成汇总", 3, 4)
    summary = _summary(change, before, after, rows, totals, old_ok)
    step("完成", 4, 4)
    return rows, totals, summary


def _value_counts(column) -> dict[str, int]:
    if not len(column):
        return {}
    counted = pc.value_counts(column)
    return dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist()))


def _summary(change, before, after, rows: pa.Table, totals: pa.Table, old_ok: bool) -> dict:
    actions = _value_counts(rows["action"])
    reasons = _value_counts(rows.filter(pc.not_equal(rows["reason"], ""))["reason"]) if rows.num_rows else {}
    names = dict(Region.objects.filter(code__in=set(totals["township"].to_pylist())).values_list("code", "name"))
    previous = before.params[change.key][-1] if change.key in before.params else None
    return {
        "change": change.pk, "policy": after.name, "key": change.key, "start": change.start_date.isoformat(),
        "amount": str(change.amount), "previous": str(previous.value) if previous else None,
        "counts": {"total": rows.num_rows, **{a: int(actions.get(a, 0)) for a in ACTIONS}},
        "reasons": {str(k): int(v) for k, v in reasons.items()},
        "old_total": _yuan(pc.sum(rows["old_fen"]).as_py()), "new_total": _yuan(pc.sum(rows["new_fen"]).as_py()),
        "diff": _yuan(pc.sum(rows["diff_fen"]).as_py()),
        "totals": [{"township": t["township"], "township_name": names.get(t["township"], ""), "class": t["klass"],
                    "count": t["count"], "adjusted": t["adjusted"], "review": t["review"],
                    "old_total": _yuan(t["old_total_fen"]), "new_total": _yuan(t["new_total_fen"]),
                    "diff": _yuan(t["diff_fen"])} for t in totals.to_pylist()],
        "warnings": [w.as_dict() for w in standard_warnings(after, change.key, change.start_date)],
        "facts_check": old_ok,
    }


def standard_preview(*, actor, change_id: int, now=None, progress=None) -> Preview:
    """Compute and keep the preview of a proposed or approved change. A new preview replaces the old
    one and withdraws an approval given to the old numbers (the checker approves what they saw)."""
    now = now or timezone.now()
    change = change_get(actor=actor, change_id=change_id)
    if change.status == StandardChange.Status.APPLIED:
        raise Conflict("standard.applied", f"标准调整 {change.pk} 已应用，不能重新预览", field="status")
    rows, totals, summary = compute_preview(change, progress=progress)
    folder = preview_dir(change)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"preview-{now:%Y%m%dT%H%M%S%f}.parquet"
    pq.write_table(rows, path)
    sha = _sha256(path)
    summary.update(generated_at=now.isoformat(), sha256=sha)
    with transaction.atomic():
        change = change_get(actor=actor, change_id=change_id, lock=True)
        if change.status == StandardChange.Status.APPLIED:
            raise Conflict("standard.applied", f"标准调整 {change.pk} 已应用，不能重新预览", field="status")
        withdrawn = change.status == StandardChange.Status.APPROVED
        change.preview_path, change.preview_sha256, change.preview_at = str(path), sha, now
        change.preview_summary = summary
        if withdrawn:
            change.status, change.approved_by, change.approved_at, change.approved_sha256 = "proposed", None, None, ""
        change.version = F("version") + 1
        change.save()
        change.refresh_from_db()
        audit_record(actor=actor, action="standard.preview", subject_type="standard_change", subject_id=change.pk,
                     region_code=change.region_id, details={"sha256": sha, "approval_withdrawn": withdrawn,
                                                            **summary["counts"], "diff": summary["diff"]})
    return Preview(change=change, rows=rows, totals=totals, summary=summary)


def read_preview(change: StandardChange, sha256: str | None = None) -> pa.Table:
    """The kept preview rows; refuses a missing or altered file."""
    if not preview_file_ok(change, sha256):
        raise Conflict("standard.preview_changed", "预览文件缺失或与审批时不一致，请重新生成预览并审批", field="preview")
    return pq.read_table(change.preview_path).cast(PREVIEW_SCHEMA)
