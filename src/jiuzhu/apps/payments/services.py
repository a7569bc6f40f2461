"""Payroll (社会化发放, R-DB-05/06): prepare → approve (maker-checker, then locked) → bank file → reconcile.

Roles: county civil-affairs staff (县民政) prepare, approve, export and reconcile the batches of their
county or of one of its townships; the approver must be another person than the preparer. Township
staff and inspectors only read (selectors). ``actor=None`` is the operator at the console (``jiuzhu
payroll``): not region-scoped, recorded as "system", and never allowed to approve.

Idempotent: preparing a month whose regular batch is still prepared returns it unchanged; once it is
approved, enrollments without a line for the month (new, resumed, bank account added) and failed
lines not yet carried go into a supplementary batch (补发批次), and with nothing to add the request
is refused naming the approved batch. The database constraint ``payment_once_per_enrollment_month``
makes a second live line for one enrollment and month impossible whatever the code does.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions import codes
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import ensure_in_scope
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import building, snapshot
from .bankfile import file_sha256, read_index, write_bank_file
from .layouts import layout_get
from .models import PaymentLine, PayrollBatch
from .results import check_file, check_result

FORMATS = ("csv", "xlsx")
Kind, Status = PayrollBatch.Kind, PayrollBatch.Status


def parse_month(value) -> date:
    """``2026-12`` (or a date) → 2026-12-01."""
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    try:
        year, month = str(value).strip().split("-")[:2]
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ValidationFailed("payroll.month", f"发放月份“{value}”格式错误，应为 YYYY-MM", field="month") from None


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def earliest_month(region_code: str, today: date) -> date:
    """The first month a batch of the region may pay: the earliest start month of its enrollments (any
    status: a late batch may still be due for a stopped one), or this month when it has none."""
    low, high = codes.subtree_range(region_code)
    first = (Enrollment.objects.filter(region_id__gte=low, region_id__lte=high)
             .aggregate(m=Min("start_month"))["m"])
    this_month = today.replace(day=1)
    return min(first.replace(day=1), this_month) if first else this_month


def _authorize(actor, region_code: str, *, what: str = "发放批次") -> None:
    """Scope first (outside the region = not found), then role."""
    if actor is None:
        return
    ensure_in_scope(actor, region_code, what=what)
    if not can(actor, "payroll.operate"):
        raise Forbidden("payroll.role", "只有县级民政部门工作人员可以办理发放批次")


def _lock_region(region_code: str) -> None:
    """Serialize payroll work per province (and region): overlapping regions wait for each other."""
    province = codes.subtree_range(region_code)[0][:2].ljust(12, "0")
    list(Region.objects.select_for_update().filter(code__in={province, region_code}).order_by("code"))


def _batch_for_update(actor, batch_id) -> PayrollBatch:
    batch = PayrollBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise _not_found()
    _authorize(actor, batch.region_id)
    return batch


def _not_found() -> NotFound:
    return NotFound("not_found", "发放批次不存在或不在您的管辖范围内", field="batch")


def payroll_prepare_check(*, actor, region_code: str, month, now) -> date:
    """The cheap checks of ``payroll_prepare`` (region, authority, month bounds): a web page runs them
    before it queues the job, so a wrong form is answered at once. Returns the month."""
    month = parse_month(month)
    region = Region.objects.filter(code=region_code).first()
    if region is None or region.level > 4:
        raise ValidationFailed("payroll.region", f"发放区划“{region_code}”不存在或不是县(市、区)、乡镇(街道)",
                               field="region")
    _authorize(actor, region_code)
    today = timezone.localdate(now)
    latest = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    if month > latest:
        raise ValidationFailed("payroll.month_future", f"不能生成 {month_label(month)} 的发放批次（最晚为下月）",
                               field="month")
    earliest = earliest_month(region_code, today)
    if month < earliest:
        raise ValidationFailed("payroll.month_past", f"发放月份 {month_label(month)} 早于该区划最早可发放的月份"
                               f" {month_label(earliest)}（最早在保对象的起始月份），未生成批次", field="month",
                               earliest=earliest.isoformat())
    return month


def payroll_prepare(*, actor, region_code: str, month, now, progress=None) -> PayrollBatch:
    """The month's regular batch (or a supplementary one once it is approved) for ``region_code``."""
    month = payroll_prepare_check(actor=actor, region_code=region_code, month=month, now=now)
    region = Region.objects.get(code=region_code)
    split = building.can_split()
    batch = pending = None
    try:
        try:
            with transaction.atomic():
                _lock_region(region_code)
                _refuse_overlap(region_code, month)
                batches = PayrollBatch.objects.filter(region_id=region_code, month=month)
                regular = _settled(actor, batches.filter(kind=Kind.REGULAR).first(), now)
                if regular is not None and regular.status == Status.PREPARED:
                    return regular
                if regular is None:
                    batch, pending = _build(actor, region, month, Kind.REGULAR, 1, now, progress, split)
                else:
                    open_supp = _settled(actor, batches.filter(kind=Kind.SUPPLEMENTARY, status=Status.PREPARED)
                                         .order_by("-seq").first(), now)
                    if open_supp is not None:
                        return open_supp
                    seq = (batches.filter(kind=Kind.SUPPLEMENTARY).aggregate(m=Max("seq"))["m"] or 0) + 1
                    batch, pending = _build(actor, region, month, Kind.SUPPLEMENTARY, seq, now, progress, split)
                    if batch is None:
                        raise Conflict("payroll.month_approved",
                                       f"{month_label(month)}已审核的批次 {regular.number}（ID {regular.pk}），"
                                       "新增或变更进入补发批次；目前没有需要补发的对象",
                                       batch_id=regular.pk, number=regular.number)
        except BaseException:
            if pending is not None:  # the batch row was never committed: just let go of the lock
                building.release(batch.pk)
            raise
        return batch if pending is None else _write_split(actor, batch, pending, now, progress)
    except IntegrityError:
        raise Conflict("payroll.double_payment", "有在保对象本月已有发放明细（同一对象同月只能发放一次），未生成批次",
                       region=region_code, month=month.isoformat()) from None


def _settled(actor, batch: PayrollBatch | None, now) -> PayrollBatch | None:
    """``batch``, unless it is still being built: then refuse while its builder runs, or discard it
    when the builder is gone (it is built again)."""
    if batch is None or not batch.totals.get("building"):
        return batch
    if building.builder_alive(batch):
        raise Conflict("payroll.building", f"批次 {batch.number}（ID {batch.pk}）正在生成，请稍候再试",
                       batch_id=batch.pk)
    building.discard(actor, batch.pk, now, reason="上次生成中断（生成进程已不在），重新生成")
    return None


def _build(actor, region, month: date, kind: str, seq: int, now, progress, split: bool):
    """(batch, lines still to write) — or (None, None) for a supplementary batch with nothing to pay."""
    tables = building.compute(region.code, month, progress)
    lines = tables.summary["lines"]
    if kind == Kind.SUPPLEMENTARY and not lines:
        return None, None
    threshold = building.parallel_from()
    deferred = split and threshold > 0 and lines >= threshold
    batch = building.create_batch(actor=actor, region=region, month=month, kind=kind, seq=seq, now=now,
                                  tables=tables, building=deferred)
    if deferred:
        building.hold(batch.pk)
        return batch, tables.lines
    snapshot.write_lines(batch.pk, tables.lines, progress=building.stage(progress, "写入发放明细", lines))
    building.check_references(batch.pk)
    building.audit_prepare(actor, batch, now)
    return batch, None


def _write_split(actor, batch: PayrollBatch, lines, now, progress) -> PayrollBatch:
    try:
        building.write_parallel(batch.pk, lines, progress)
        return building.finalize(actor, batch.pk, now)
    except BaseException as exc:
        building.discard(actor, batch.pk, now, reason=f"写入明细失败：{type(exc).__name__}")
        raise
    finally:
        building.release(batch.pk)


def _refuse_overlap(region_code: str, month: date) -> None:
    low, high = codes.subtree_range(region_code)
    other = (PayrollBatch.objects.filter(month=month, kind=Kind.REGULAR)
             .filter(Q(region_id__in=codes.ancestors(region_code)) | Q(region_id__gte=low, region_id__lte=high))
             .exclude(region_id=region_code).first())
    if other is not None:
        raise Conflict("payroll.overlap", f"{month_label(month)}已有覆盖该区划的发放批次 {other.number}（ID {other.pk}），"
                       "不能重复生成", batch_id=other.pk, number=other.number)


def payroll_approve(*, actor, batch_id: int, now) -> PayrollBatch:
    """Checker approves a prepared batch (not their own); the batch is then locked."""
    if actor is None:
        raise ValidationFailed("payroll.approver", "审核须由具名的县民政工作人员办理，请指定审核人", field="user")
    with transaction.atomic():
        batch = _batch_for_update(actor, batch_id)
        if batch.status != Status.PREPARED:
            raise Conflict("payroll.already_approved", f"批次 {batch.number}（ID {batch.pk}）已审核，不能重复审核",
                           batch_id=batch.pk, number=batch.number)
        if batch.totals.get("building"):
            raise Conflict("payroll.building", f"批次 {batch.number}（ID {batch.pk}）正在生成，不能审核", batch_id=batch.pk)
        if batch.prepared_by_id == actor.pk:
            raise Forbidden("payroll.self_approval", f"不能审核自己生成的批次 {batch.number}：制单与审核须由不同人员办理",
                            batch_id=batch.pk)
        agg = PaymentLine.objects.filter(batch=batch).aggregate(n=Count("id"), amount=Sum("amount"))
        if (agg["n"] or 0) != batch.totals.get("lines", agg["n"]) or (agg["amount"] or 0) != batch.total_amount:
            raise Conflict("payroll.totals_mismatch", f"批次 {batch.number} 的明细与汇总不符，不能审核，请联系管理员",
                           batch_id=batch.pk)
        batch.status, batch.approved_by, batch.approved_at = Status.APPROVED, actor, now
        batch.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(actor=actor, action="payroll.approve", subject_type="payroll_batch", subject_id=batch.pk,
                     region_code=batch.region_id, at=now, before={"status": Status.PREPARED},
                     after={"status": batch.status}, details={"number": batch.number, "lines": agg["n"],
                                                              "amount": str(batch.total_amount)})
    return batch


def batch_dir(batch: PayrollBatch) -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / "payroll" / batch.region_id / f"{batch.month:%Y%m}"


def bank_file_path(batch: PayrollBatch) -> Path | None:
    return Path(settings.JIUZHU_FILES_DIR) / batch.bank_file if batch.bank_file else None


def exported_layout(batch: PayrollBatch) -> str:
    name = Path(batch.bank_file).stem if batch.bank_file else ""
    return name[len(batch.number) + 1:] if name.startswith(batch.number + "-") else "default"


def payroll_export(*, actor, batch_id: int, layout: str = "default", fmt: str = "csv", now,
                   progress=None) -> tuple[PayrollBatch, Path]:
    """Write the bank file of an approved batch (accounts decrypted only here). Again with the same
    layout and format: the existing file is returned unchanged."""
    spec = layout_get(layout)
    if fmt not in FORMATS:
        raise ValidationFailed("payroll.format", f"文件格式“{fmt}”无效，可选：csv、xlsx", field="format")
    with transaction.atomic():
        batch = _batch_for_update(actor, batch_id)
        if batch.status == Status.PREPARED:
            raise Conflict("payroll.not_approved", f"批次 {batch.number}（ID {batch.pk}）尚未审核，不能生成银行文件",
                           batch_id=batch.pk)
        folder = batch_dir(batch)
        path = folder / f"{batch.number}-{spec.name}.{fmt}"
        index_path = folder / f"{batch.number}-index.csv"
        relative = str(path.relative_to(settings.JIUZHU_FILES_DIR))
        if (batch.bank_file == relative and path.exists() and index_path.exists()
                and file_sha256(path) == batch.bank_file_sha256):
            return batch, path
        rows = snapshot.read_bank_rows(batch.pk)
        info = write_bank_file(rows, layout=spec, fmt=fmt, path=path, reveal=True, index_path=index_path,
                               progress=building.stage(progress, "写银行文件", rows.num_rows))
        batch.bank_file, batch.bank_file_sha256 = relative, info["sha256"]
        batch.save(update_fields=["bank_file", "bank_file_sha256"])
        audit_record(actor=actor, action="payroll.export", subject_type="payroll_batch", subject_id=batch.pk,
                     region_code=batch.region_id, at=now,
                     details={"number": batch.number, "layout": spec.name, "format": fmt, "file": relative,
                              "sha256": info["sha256"], "lines": info["lines"],
                              "amount": building.yuan(info["amount_fen"])})
    return batch, path


def payroll_preview(*, actor, batch_id: int, progress=None) -> Path:
    """A preview of the bank file with masked accounts (nothing decrypted), written once."""
    batch = PayrollBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise _not_found()
    _authorize(actor, batch.region_id)
    # keyed by the batch row, not only its number: a batch prepared again under the same number (a
    # test database rolled back, a restored backup) must never be shown another batch's preview
    path = batch_dir(batch) / f"{batch.number}-{batch.pk}-{batch.prepared_at:%Y%m%d%H%M%S%f}-preview.csv"
    if not path.exists():
        rows = snapshot.read_bank_rows(batch.pk)
        write_bank_file(rows, layout=layout_get("default"), fmt="csv", path=path, reveal=False,
                        progress=building.stage(progress, "写预览文件", rows.num_rows))
    return path


def payroll_reconcile(*, actor, batch_id: int, content: bytes, filename: str, layout: str | None = None,
                      now) -> dict:
    """Apply the bank's result file after checking all of it: paid / failed per line. Failed lines
    are carried into the next batch (next month's, or a supplementary one) by ``payroll_prepare``."""
    with transaction.atomic():
        batch = _batch_for_update(actor, batch_id)
        if batch.status == Status.PREPARED:
            raise Conflict("payroll.not_approved", f"批次 {batch.number}（ID {batch.pk}）尚未审核，不能对账",
                           batch_id=batch.pk)
        spec = layout_get(layout or exported_layout(batch))
        index_path = batch_dir(batch) / f"{batch.number}-index.csv"
        if not batch.bank_file or not index_path.exists():
            raise Conflict("payroll.not_exported", f"批次 {batch.number} 尚未生成银行文件（或对账索引缺失），请先导出",
                           batch_id=batch.pk)
        total_fen = int(batch.total_amount * 100)
        check_file(content, filename)
        outcomes, problems = check_result(content, filename, layout=spec, index=read_index(index_path),
                                          batch_total_fen=total_fen)
        if problems.count:
            raise ValidationFailed("payroll.result_invalid",
                                   f"银行结果文件有 {problems.count} 处问题，未做任何处理", field="file",
                                   errors=problems.items, total=problems.count)
        failed = [(o.line_id, o.code, o.message or "发放失败") for o in outcomes if not o.paid]
        if batch.status == Status.RECONCILED:
            return _same_result(batch, failed)
        paid, n_failed = snapshot.mark_results(batch.pk, failed)
        batch.status, batch.reconciled_at = Status.RECONCILED, now
        batch.save(update_fields=["status", "reconciled_at"])
        failed_amount = PaymentLine.objects.filter(batch=batch, status="failed").aggregate(s=Sum("amount"))["s"] or 0
        result = {"batch_id": batch.pk, "number": batch.number, "paid": paid, "failed": n_failed,
                  "failed_amount": f"{Decimal(failed_amount):.2f}", "changed": True}
        audit_record(actor=actor, action="payroll.reconcile", subject_type="payroll_batch", subject_id=batch.pk,
                     region_code=batch.region_id, at=now, before={"status": Status.APPROVED},
                     after={"status": batch.status},
                     details={**result, "file_sha256": _sha(content), "layout": spec.name})
    return result


def _same_result(batch: PayrollBatch, failed: list) -> dict:
    """A reconciled batch: the same file again changes nothing; a different outcome is refused."""
    now_failed = set(PaymentLine.objects.filter(batch=batch, status="failed").values_list("id", flat=True))
    if now_failed != {line_id for line_id, _, _ in failed}:
        raise Conflict("payroll.already_reconciled", f"批次 {batch.number}（ID {batch.pk}）已对账，结果不能更改",
                       batch_id=batch.pk)
    paid = PaymentLine.objects.filter(batch=batch, status="paid").count()
    amount = PaymentLine.objects.filter(batch=batch, status="failed").aggregate(s=Sum("amount"))["s"] or 0
    return {"batch_id": batch.pk, "number": batch.number, "paid": paid, "failed": len(now_failed),
            "failed_amount": f"{Decimal(amount):.2f}", "changed": False}


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def payroll_bank_file(*, actor, batch_id: int, now) -> tuple[PayrollBatch, Path]:
    """The exported bank file for download: full accounts, so the download itself is audited."""
    with transaction.atomic():
        batch = _batch_for_update(actor, batch_id)
        path = bank_file_path(batch)
        if path is None or not path.exists() or file_sha256(path) != batch.bank_file_sha256:
            raise Conflict("payroll.no_bank_file", f"批次 {batch.number} 尚未生成银行文件（或文件已被改动），请重新生成",
                           batch_id=batch.pk)
        audit_record(actor=actor, action="payroll.download", subject_type="payroll_batch", subject_id=batch.pk,
                     region_code=batch.region_id, at=now,
                     details={"number": batch.number, "file": batch.bank_file, "sha256": batch.bank_file_sha256})
    return batch, path
