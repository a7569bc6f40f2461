"""Building a batch: the columnar computation, the batch row, and writing its lines.

Small batches (and SQLite, and any call nested in an outer transaction) write their lines inside
the service's transaction. A large batch on PostgreSQL is written by several connections at once:
PostgreSQL checks the line table's five foreign keys row by row at commit, one backend per
transaction, and that single-core step dominated a million-line batch. The protocol keeps the
guarantees of the single transaction:

1. In the service's transaction (region locked) the batch row is created with
   ``totals["building"] = true`` and the builder takes a session advisory lock on it.
2. Each worker connection writes a share of the lines with COPY and commits (constraints checked
   there; the partial unique index still refuses a second live line for an enrollment and month).
3. A last transaction checks that the lines add up to the batch totals, clears ``building`` and
   writes the audit event; then the advisory lock is released.

A building batch cannot be approved, exported or reconciled. If the builder dies (its advisory
lock is gone) the next ``payroll_prepare`` for that region and month discards the incomplete batch
and builds it again; if a worker fails the batch is discarded at once. Nothing half-built is paid.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions import codes
from jiuzhu.batch.payroll import payroll_tables

from . import case_lines, snapshot
from .models import PaymentLine, PayrollBatch

LOCK_CLASS = 0x5041  # "PA": advisory lock namespace for batches being built


def parallel_from() -> int:
    """Lines from which a PostgreSQL batch is written by several connections (0 = never)."""
    return int(getattr(settings, "JIUZHU_PAYROLL_PARALLEL_LINES", os.environ.get("JIUZHU_PAYROLL_PARALLEL_LINES",
                                                                                   200_000)))


def can_split() -> bool:
    """Only the outermost transaction really commits; nested calls (and SQLite) write in place."""
    return connection.vendor == "postgresql" and not transaction.get_connection().in_atomic_block


def stage(progress, name: str, total: int = 1):
    if progress is None:
        return lambda done: None
    progress(name, 0, total)
    return lambda done: progress(name, done, total)


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def compute(region_code: str, month, progress):
    low, high = codes.subtree_range(region_code)
    step = stage(progress, "读取在保对象")
    enrollments = snapshot.read_enrollments(low, high, month)
    changes = snapshot.read_changes(low, high, month)
    taken = snapshot.read_taken(low, high, month)
    carry = snapshot.read_carry(low, high, month)
    step(1)
    step = stage(progress, "计算发放明细")
    tables = payroll_tables(enrollments, taken, carry, month=month, region_range=(low, high), changes=changes)
    month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    tables = case_lines.with_case_lines(tables, case_lines.read_case_claims(low, high, month_end), month)
    step(1)
    return tables


def totals_json(totals, summary: dict) -> dict:
    rows = [{"township": r["township"], "klass": r["klass"], "households": r["households"], "persons": r["persons"],
             "lines": r["lines"], "amount": yuan(r["amount_fen"])} for r in totals.to_pylist()]
    return {"by_township_class": rows, "lines": summary["lines"], "carried": summary["carried"],
            "missing_account": summary["missing_account"]}


def create_batch(*, actor, region, month, kind, seq, now, tables, building: bool) -> PayrollBatch:
    summary = tables.summary
    totals = totals_json(tables.totals, summary)
    if building:
        totals["building"] = True
    return PayrollBatch.objects.create(
        region=region, month=month, kind=kind, seq=seq, status=PayrollBatch.Status.PREPARED, prepared_by=actor,
        prepared_at=now, households=summary["households"], persons=summary["persons"],
        total_amount=Decimal(yuan(summary["amount_fen"])), totals=totals)


def audit_prepare(actor, batch: PayrollBatch, now) -> None:
    t = batch.totals
    audit_record(actor=actor, action="payroll.prepare", subject_type="payroll_batch", subject_id=batch.pk,
                 region_code=batch.region_id, at=now, after={"number": batch.number, "status": batch.status},
                 details={"number": batch.number, "kind": batch.kind, "month": batch.month.isoformat(),
                          "lines": t["lines"], "households": batch.households, "persons": batch.persons,
                          "amount": str(batch.total_amount), "carried": t["carried"],
                          "missing_account": t["missing_account"]})


def hold(batch_id: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, batch_id))


def release(batch_id: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, batch_id))


def builder_alive(batch: PayrollBatch) -> bool:
    """Whether some session is still building ``batch`` (it holds the advisory lock)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, batch.pk))
        free = cur.fetchone()[0]
        if free:
            cur.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, batch.pk))
    return not free


def discard(actor, batch_id: int, now, *, reason: str) -> None:
    """Remove an incomplete batch and its lines (never approved: building batches cannot be)."""
    with transaction.atomic():
        batch = PayrollBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or not batch.totals.get("building"):
            return
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {PaymentLine._meta.db_table} WHERE batch_id = %s", (batch_id,))
            lines = cur.rowcount
        number = batch.number
        batch.delete()
        audit_record(actor=actor, action="payroll.discard_incomplete", subject_type="payroll_batch",
                     subject_id=batch_id, region_code=batch.region_id, at=now, reason=reason,
                     details={"number": number, "lines_written": lines})


def write_parallel(batch_id: int, lines, progress=None, workers: int | None = None) -> None:
    """Write the lines with ``workers`` connections, each its own transaction."""
    workers = workers or int(getattr(settings, "JIUZHU_PAYROLL_WRITERS", os.environ.get("JIUZHU_PAYROLL_WRITERS", 0))
                             ) or max(2, os.cpu_count() or 2)
    n = lines.num_rows
    size = -(-n // workers)
    parts = [lines.slice(i * size, size) for i in range(workers) if i * size < n]
    written = [0] * len(parts)
    lock = threading.Lock()
    report = stage(progress, "写入发放明细", n)

    def work(index: int):
        def step(done: int):
            with lock:
                written[index] = done
                report(sum(written))
        try:
            with transaction.atomic():
                snapshot.write_lines(batch_id, parts[index], progress=step)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="payroll-copy") as pool:
        for future in [pool.submit(work, i) for i in range(len(parts))]:
            future.result()


def line_check(batch_id: int) -> tuple[int, Decimal, int]:
    """(lines, amount, dangling) of the batch in one set-based query: every line must name an existing
    enrollment (or, for a case's line, the case's bank claim), household, region and carried line
    (instead of a foreign-key check per row, see
    PaymentLine). Joins, not ``NOT EXISTS … OR NOT EXISTS``: PostgreSQL runs OR'ed subqueries once
    per line (two million index probes for a million lines) but a join as one hash join per table.
    The carried line and the claim are looked up only for the few lines that have one."""
    from jiuzhu.apps.regions.models import Region

    line, enr, hh = (PaymentLine._meta.db_table, snapshot.ENR, snapshot.HH)
    region, claim = Region._meta.db_table, case_lines.CLAIM
    sql = (f"SELECT COUNT(*), COALESCE(SUM(l.amount), 0), COUNT(*) FILTER (WHERE "
           "(l.enrollment_id IS NOT NULL AND e.id IS NULL) OR h.id IS NULL OR r.code IS NULL "
           f"OR (l.case_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {claim} k WHERE k.case_id = l.case_id "
           "AND k.reference = l.reference AND k.channel = 'bank')) "
           f"OR (l.carried_from_id IS NOT NULL AND NOT EXISTS ("
           f"SELECT 1 FROM {line} c WHERE c.id = l.carried_from_id))) "
           f"FROM {line} l LEFT JOIN {enr} e ON e.id = l.enrollment_id LEFT JOIN {hh} h ON h.id = l.household_id "
           f"LEFT JOIN {region} r ON r.code = l.region_id WHERE l.batch_id = %s")
    with connection.cursor() as cur:
        cur.execute(sql, (batch_id,))
        lines, amount, dangling = cur.fetchone()
    return lines, Decimal(amount), dangling


def check_references(batch_id: int) -> None:
    """Raise unless every line of the batch names an existing enrollment (or bank claim), household, region
    and carried line (:func:`line_check`)."""
    _refuse_dangling(batch_id, line_check(batch_id)[2])


def _refuse_dangling(batch_id: int, dangling: int) -> None:
    if dangling:
        raise RuntimeError(f"payroll batch {batch_id}: {dangling} lines reference a missing enrollment, bank claim, "
                           "household, region or carried line")


def analyze_lines() -> None:
    """Refresh the planner's statistics of the line table after a large batch (PostgreSQL samples a
    fixed 30 000 rows, a fraction of a second whatever the table's size): with statistics from before
    the batch, the checks here and the bank-file export were planned as a million index probes and an
    on-disk sort instead of hash joins."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {PaymentLine._meta.db_table}")


def finalize(actor, batch_id: int, now) -> PayrollBatch:
    """Check the written lines against the batch totals, then make the batch a normal prepared batch."""
    analyze_lines()  # before the transaction: ANALYZE's table lock is then held only while it runs
    with transaction.atomic():
        batch = PayrollBatch.objects.select_for_update().get(pk=batch_id)
        lines, amount, dangling = line_check(batch_id)
        if lines != batch.totals["lines"] or amount != batch.total_amount:
            raise RuntimeError(f"payroll batch {batch_id}: written lines do not add up to the batch totals")
        _refuse_dangling(batch_id, dangling)
        batch.totals = {k: v for k, v in batch.totals.items() if k != "building"}
        batch.save(update_fields=["totals"])
        audit_prepare(actor, batch, now)
    return batch
