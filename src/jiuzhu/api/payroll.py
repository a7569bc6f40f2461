"""Payroll (``/v1/payroll``, 社会化发放): batches — list, detail with totals, prepare, approve (maker-
checker) and the bank file. Thin: parse → selector/service. Reading: county staff, township staff and
inspectors of the batch's region; operating: county civil-affairs staff (the services check)."""

from __future__ import annotations

from datetime import date

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from jiuzhu.apps.accounts.names import display_name
from jiuzhu.apps.payments import selectors, services
from jiuzhu.apps.payments.models import PayrollBatch
from jiuzhu.rules.errors import ValidationFailed

from .payroll_schemas import BatchDetail, BatchList, BatchQuery, PrepareIn, ReconcileOut
from .schemas import RowId, errors

router = Router(tags=["payroll"])
KIND_LABELS = dict(PayrollBatch.Kind.choices)
STATUS_LABELS = dict(PayrollBatch.Status.choices)
MAX_RESULT_BYTES = 200 * 1024 * 1024  # as the web page
CONTENT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _name(user) -> str:
    return display_name(user)


def batch_out(b: PayrollBatch) -> dict:
    t = b.totals or {}
    return {
        "id": b.pk, "number": b.number, "region": b.region_id, "region_name": b.region.name, "month": b.month,
        "kind": b.kind, "kind_label": KIND_LABELS.get(b.kind, b.kind), "seq": b.seq, "status": b.status,
        "status_label": STATUS_LABELS.get(b.status, b.status), "households": b.households, "persons": b.persons,
        "lines": int(t.get("lines", 0)), "total_amount": f"{b.total_amount:.2f}", "carried": int(t.get("carried", 0)),
        "missing_account": int(t.get("missing_account", 0)), "building": bool(t.get("building")),
        "prepared_by": _name(b.prepared_by), "prepared_at": timezone.localtime(b.prepared_at),
        "approved_by": _name(b.approved_by) if b.approved_by_id else None,
        "approved_at": timezone.localtime(b.approved_at) if b.approved_at else None,
        "reconciled_at": timezone.localtime(b.reconciled_at) if b.reconciled_at else None,
        "bank_file": bool(b.bank_file),
    }


def detail_out(b: PayrollBatch) -> dict:
    totals = selectors.batch_totals(batch=b)
    money = lambda row: {**row, "amount": f"{row['amount']:.2f}"}  # noqa: E731
    return {
        **batch_out(b),
        "totals": [money(r) for r in totals],
        "townships": [money(r) for r in selectors.township_subtotals(totals)],
        "by_status": {k: {"lines": n, "amount": f"{s:.2f}"}
                      for k, (n, s) in selectors.batch_status_counts(batch=b).items()},
    }


def _month(value: str | None) -> date | None:
    return services.parse_month(value) if value else None


@router.get("/batches", response={200: BatchList, **errors(422)}, summary="发放批次列表（本人管辖范围内，最近月份在前）")
def batch_list(request, filters: Query[BatchQuery]):
    batches = selectors.batches_visible(actor=request.auth, limit=filters.limit, region=filters.region,
                                        month=_month(filters.month), status=filters.status)
    return {"items": [batch_out(b) for b in batches]}


@router.get("/batches/{batch_id}", response={200: BatchDetail, **errors(404, 422)},
            summary="发放批次详情：按乡镇、分类的户数、人数、笔数、金额汇总")
def batch_detail(request, batch_id: RowId):
    return detail_out(selectors.batch_get(actor=request.auth, batch_id=batch_id))


@router.post("/batches", response={200: BatchDetail, 201: BatchDetail, **errors(403, 404, 409, 422)},
             summary="生成发放批次（region、month）",
             description="县民政工作人员生成本县或所辖乡镇某月的正常发放批次；该月批次已审核后，新增或变更的对象进入补发批次。"
                         "重复请求返回同一待审核批次（200），新生成时 201。各对象按该月执行的待遇（金额、分类、状态）发放：下月起生效的变更不影响本月。")
def batch_prepare(request, payload: PrepareIn):
    now = timezone.now()
    batch = services.payroll_prepare(actor=request.auth, region_code=payload.region, month=payload.month, now=now)
    batch = selectors.batch_get(actor=request.auth, batch_id=batch.pk)
    return Status(201 if batch.prepared_at == now else 200, detail_out(batch))


@router.post("/batches/{batch_id}/approve", response={200: BatchDetail, **errors(403, 404, 409, 422)},
             summary="审核发放批次（制单与审核须由不同人员办理）",
             description="县民政工作人员审核他人生成的批次，审核后锁定。审核本人生成的批次 403（payroll.self_approval）；"
                         "已审核 409。")
def batch_approve(request, batch_id: RowId):
    services.payroll_approve(actor=request.auth, batch_id=batch_id, now=timezone.now())
    return detail_out(selectors.batch_get(actor=request.auth, batch_id=batch_id))


@router.get("/batches/{batch_id}/bankfile", response={**errors(403, 404, 409, 422)},
            summary="下载银行代发文件（format=csv|xlsx，layout=格式名）",
            description="已审核的批次：按所选格式生成（同一格式再次请求返回同一文件）并下载，含完整银行账号，生成与下载均记入审计日志。"
                        "未审核 409；非县民政工作人员 403。",
            openapi_extra={"responses": {"200": {"description": "银行代发文件", "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                CONTENT_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}}})
def batch_bankfile(request, batch_id: RowId, format: str = "csv", layout: str = "default"):  # noqa: A002
    if format not in CONTENT_TYPES:
        raise ValidationFailed("payroll.format", f"文件格式“{format}”无效，可选：csv、xlsx", field="format")
    services.payroll_export(actor=request.auth, batch_id=batch_id, layout=layout, fmt=format, now=timezone.now())
    _, path = services.payroll_bank_file(actor=request.auth, batch_id=batch_id, now=timezone.now())
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=path.name,
                            content_type=CONTENT_TYPES[format])
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/batches/{batch_id}/reconcile", response={200: ReconcileOut, **errors(400, 403, 404, 409, 413, 422)},
             summary="导入银行回盘文件对账（multipart：file，可选 layout）",
             description="县民政工作人员上传银行返回的结果文件（CSV 或 xlsx，200MB 以内），整份检查无误后逐笔标记成功/失败，"
                         "失败的结转下一批次补发；文件有问题 422（details.errors 逐行列出，未作任何处理）；"
                         "同一文件再次上传不作更改（changed=false），结果不同 409；未审核或未生成银行文件 409；非县民政 403。")
def batch_reconcile(request, batch_id: RowId, file: File[UploadedFile],
                    layout: str = Form("", max_length=40, description="回盘格式名；空则按导出时的格式")):
    if file.size is None or file.size > MAX_RESULT_BYTES:
        raise ValidationFailed("payroll.result_too_large", "银行回盘文件过大（不能超过 200MB）", field="file")
    result = services.payroll_reconcile(actor=request.auth, batch_id=batch_id, content=file.read(),
                                        filename=file.name or "", layout=layout or None, now=timezone.now())
    return {**result, "batch": result["batch_id"]}
