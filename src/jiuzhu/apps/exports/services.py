"""xlsx exports of cases, households and enrollments with the list pages' filters, inside the actor's
scope. ID numbers are masked unless ``full`` is asked by a role holding ``pii.view_full``; every
export is audited (kind, filters, rows, full or masked). Workbooks are written row by row in
xlsxwriter's constant-memory mode (never built in memory): up to ``INLINE_ROWS`` rows straight into
the response, more as a background job (``EXPORT_JOB``) whose file only its requester can download."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.case_filters import CaseFilters, cases_filtered, parse_filters
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import actor_region_code, scope_filter
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.choices import AreaType
from jiuzhu.apps.registry.models import Household, Membership
from jiuzhu.apps.registry.selectors import name_prefix_q
from jiuzhu.core.files import private_dir
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.errors import DomainError, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.states import PROGRAM_LABELS

INLINE_ROWS = 20_000  # more rows: a background job
MAX_ROWS = 1_000_000
KINDS = {"cases": "救助案件", "households": "家庭", "enrollments": "在保对象"}
EXPORT_JOB = "exports.xlsx"
CHUNK = 2000
# Filters of the household and enrollment list pages that the case filters do not have: (title, choices).
EXTRA = {"households": {"area_type": ("城乡类别", dict(AreaType.choices))},
         "enrollments": {"status": ("状态", dict(Enrollment.Status.choices)),
                         "klass": ("分类", {k: k for k in ("A", "B", "C", "D")})}}
HEADERS = {
    "cases": ["案件编号", "项目", "类别", "申请人", "身份证号", "村(居)", "状态", "逾期", "申请时间", "下一环节截止",
              "月保障金(元)"],
    "households": ["户编号", "户主", "户主身份证号", "户籍村(居)", "城乡类别", "共同生活人数", "居住地址"],
    "enrollments": ["在保编号", "项目", "户主", "户主身份证号", "村(居)", "分类", "保障人数", "月保障金(元)", "状态",
                    "起始月份", "下次复核"],
}


def parse_extra(kind: str, params) -> dict[str, str]:
    """The list page's own filters for ``kind`` (checked against their choices, each bad one named)."""
    out, errors = {}, []
    for key, (title, choices) in EXTRA.get(kind, {}).items():
        value = str(params.get(key, "") or "").strip()
        if value and value not in choices:
            errors.append({"field": key, "message": f"{title}：取值无效，可选：{'、'.join(choices)}"})
        elif value:
            out[key] = value
    if errors:
        raise ValidationFailed("export.filter", errors[0]["message"], field=errors[0]["field"], errors=errors)
    return out


def _region_filter(qs, filters: CaseFilters, field: str = "region_id"):
    region = filters.village or filters.township
    if region:
        low, high = subtree_range(region)
        qs = qs.filter(**{f"{field}__gte": low, f"{field}__lte": high})
    return qs


def _queryset(kind: str, actor, filters: CaseFilters, extra: dict):
    if kind == "cases":
        return cases_filtered(actor=actor, filters=filters).order_by("pk")
    if kind == "households":
        qs = _region_filter(scope_filter(Household.objects.filter(minimal=False), actor), filters)
        if extra.get("area_type"):
            qs = qs.filter(area_type=extra["area_type"])
        if filters.name:  # as the household list: any current member's name
            qs = qs.filter(pk__in=Membership.objects.filter(name_prefix_q("person__name", filters.name),
                                                            end_date__isnull=True).values("household_id"))
        return qs.select_related("head", "region").order_by("pk")
    qs = _region_filter(scope_filter(Enrollment.objects.all(), actor), filters)
    if filters.program:
        qs = qs.filter(program=filters.program)
    for key in ("status", "klass"):
        if extra.get(key):
            qs = qs.filter(**{key: extra[key]})
    if filters.name:
        qs = qs.filter(household__head_name__startswith=filters.name)
    return qs.select_related("household__head", "region").order_by("pk")


def _id(person, full: bool) -> str:
    if person is None:
        return ""
    return pii.open_(person.id_number_enc, purpose="id_number") if full else person.id_number_masked


def _row(kind: str, obj, full: bool) -> list:
    if kind == "cases":
        c = obj
        return [c.number, c.program_label, c.get_kind_display(), c.applicant.name, _id(c.applicant, full),
                c.region.name, c.state_label, "是" if c.overdue else "否", c.submitted_at.strftime("%Y-%m-%d %H:%M"),
                c.next_due.isoformat() if c.next_due else "", c.decided_amount]
    if kind == "households":
        h = obj
        return [h.number, h.head_name, _id(h.head, full), h.region.name, h.get_area_type_display(), h.member_count,
                h.address]
    e = obj
    return [e.pk, PROGRAM_LABELS.get(e.program, e.program), e.household.head_name, _id(e.household.head, full),
            e.region.name, e.klass, e.persons, e.amount, e.get_status_display(), e.start_month.strftime("%Y-%m"),
            e.next_recheck.isoformat() if e.next_recheck else ""]


def export_check(*, actor, kind: str, full: bool) -> None:
    if kind not in KINDS:
        raise ValidationFailed("export.kind", f"导出类型：取值无效，可选：{'、'.join(KINDS)}", field="kind")
    if full and not can(actor, "pii.view_full"):
        raise Forbidden("export.full_forbidden", "您的角色无权导出完整证件号，请导出脱敏版本")
    if not actor_region_code(actor):
        raise Forbidden("export.no_region", "您的账号未设置所属区划，不能导出")


def export_count(*, actor, kind: str, filters: CaseFilters, extra: dict | None = None) -> int:
    return _queryset(kind, actor, filters, extra or {}).count()


def _write(target, *, actor, kind, filters, extra, full, progress=None, total: int = 0) -> int:
    """Write the workbook to ``target`` and audit the export; returns the number of data rows."""
    book = xlsx_workbook(target, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(KINDS[kind])
    sheet.write_row(0, 0, HEADERS[kind], book.add_format({"bold": True}))
    rows = 0
    for rows, obj in enumerate(_queryset(kind, actor, filters, extra).iterator(chunk_size=CHUNK), start=1):
        if rows > MAX_ROWS:
            book.close()
            raise ValidationFailed("export.too_many", f"超过 {MAX_ROWS} 行，请缩小筛选范围（如按乡镇分别导出）",
                                   field="township")
        sheet.write_row(rows, 0, _row(kind, obj, full))
        if progress is not None and rows % CHUNK == 0:
            progress(rows, total, f"已写入 {rows} 行")
    book.close()
    audit_record(actor=actor, action=f"export.{kind}" + (".full" if full else ""), subject_type="export",
                 subject_id=kind, region_code=actor_region_code(actor) or "",
                 details={"filters": {**filters.as_params(), **extra}, "rows": rows, "full_id_numbers": full})
    return rows


def export_xlsx(*, actor, kind: str, filters: CaseFilters, full: bool = False, extra: dict | None = None):
    """(temporary file positioned at 0, file name, rows): the workbook of ``kind`` for the filters."""
    export_check(actor=actor, kind=kind, full=full)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, closed when it is sent
    try:
        rows = _write(out, actor=actor, kind=kind, filters=filters, extra=extra or {}, full=full)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, f"{KINDS[kind]}.xlsx", rows


def job_params(*, kind: str, filters: CaseFilters, extra: dict, full: bool) -> dict:
    return {"kind": kind, "filters": {**filters.as_params(), **extra}, "full": full}


def export_dir() -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / "exports"


def export_job(job, progress) -> dict:
    """The background export: the requester's scope and permissions are checked again when it runs."""
    from jiuzhu.apps.accounts.models import User

    actor = User.objects.filter(pk=job.created_by_id, is_active=True).first()
    if actor is None:
        raise DomainError("export.no_actor", "发起导出的账号不存在或已停用")
    params = job.params or {}
    kind, full, raw = params.get("kind", ""), bool(params.get("full")), params.get("filters", {})
    export_check(actor=actor, kind=kind, full=full)
    filters, extra = parse_filters(actor, raw), parse_extra(kind, raw)
    total = export_count(actor=actor, kind=kind, filters=filters, extra=extra)
    path = private_dir(export_dir()) / f"{job.pk}-{kind}.xlsx"
    with open(path, "wb") as fh:
        rows = _write(fh, actor=actor, kind=kind, filters=filters, extra=extra, full=full, progress=progress,
                      total=total)
    progress(rows, rows, f"已导出 {rows} 行")
    return {"file": path.name, "kind": kind, "rows": rows, "full": full}


def export_file(*, actor, job) -> tuple[Path, str]:
    """The file of a finished export job, for the user who asked for it only (audited when it contains
    full ID numbers)."""
    result = job.result or {}
    path = export_dir() / str(result.get("file", ""))
    if (job.kind != EXPORT_JOB or job.status != "succeeded" or job.created_by_id != getattr(actor, "pk", None)
            or not result.get("file") or not path.is_file()):
        raise NotFound("not_found", "导出文件不存在，或不是您发起的导出")
    if result.get("full"):
        audit_record(actor=actor, action="export.download", subject_type="job", subject_id=job.pk,
                     details={"file": path.name, "rows": result.get("rows", 0)})
    return path, f"{KINDS.get(result.get('kind', ''), '导出')}.xlsx"
