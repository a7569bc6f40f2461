"""xlsx exports of cases, households and enrollments with the case list's filters, inside the actor's
scope. ID numbers are masked unless ``full`` is asked by a role holding ``pii.view_full``; every
export is audited (kind, filters, rows, full or masked). The workbook is written row by row in
xlsxwriter's constant-memory mode to a temporary file (streamed to the browser), never built in
memory; more than ``MAX_ROWS`` rows is refused with a request to narrow the filters."""

from __future__ import annotations

import tempfile

from django.db import transaction

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.case_filters import CaseFilters, cases_filtered
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import actor_region_code, scope_filter
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.choices import AreaType
from jiuzhu.apps.registry.models import Household, Membership
from jiuzhu.apps.registry.selectors import name_prefix_q
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from jiuzhu.rules.workflow.states import PROGRAM_LABELS

MAX_ROWS = 100_000
KINDS = {"cases": "救助案件", "households": "家庭", "enrollments": "在保对象"}
CHUNK = 2000


def _region_filter(qs, filters: CaseFilters, field: str = "region_id"):
    region = filters.village or filters.township
    if region:
        low, high = subtree_range(region)
        qs = qs.filter(**{f"{field}__gte": low, f"{field}__lte": high})
    return qs


def _id(person, full: bool) -> str:
    if person is None:
        return ""
    return pii.open_(person.id_number_enc, purpose="id_number") if full else person.id_number_masked


def _cases(actor, filters, full, extra):
    yield ["案件编号", "项目", "类别", "申请人", "身份证号", "村(居)", "状态", "逾期", "申请时间", "下一环节截止", "月保障金(元)"]
    qs = cases_filtered(actor=actor, filters=filters)
    for c in qs.iterator(chunk_size=CHUNK):
        yield [c.number, c.program_label, c.get_kind_display(), c.applicant.name, _id(c.applicant, full),
               c.region.name, c.state_label, "是" if c.overdue else "否", c.submitted_at.strftime("%Y-%m-%d %H:%M"),
               c.next_due.isoformat() if c.next_due else "", c.decided_amount]


def _households(actor, filters, full, extra):
    yield ["户编号", "户主", "户主身份证号", "户籍村(居)", "城乡类别", "共同生活人数", "居住地址"]
    qs = _region_filter(scope_filter(Household.objects.all(), actor), filters)
    if extra.get("area_type"):
        qs = qs.filter(area_type=extra["area_type"])
    if filters.name:  # as the household list: any current member's name
        qs = qs.filter(pk__in=Membership.objects.filter(name_prefix_q("person__name", filters.name),
                                                        end_date__isnull=True).values("household_id"))
    for h in qs.select_related("head", "region").order_by("pk").iterator(chunk_size=CHUNK):
        yield [h.number, h.head_name, _id(h.head, full), h.region.name, h.get_area_type_display(), h.member_count,
               h.address]


def _enrollments(actor, filters, full, extra):
    yield ["在保编号", "项目", "户主", "户主身份证号", "村(居)", "分类", "保障人数", "月保障金(元)", "状态", "起始月份",
           "下次复核"]
    qs = _region_filter(scope_filter(Enrollment.objects.all(), actor), filters)
    if filters.program:
        qs = qs.filter(program=filters.program)
    for key in ("status", "klass"):
        if extra.get(key):
            qs = qs.filter(**{key: extra[key]})
    if filters.name:
        qs = qs.filter(household__head_name__startswith=filters.name)
    for e in qs.select_related("household__head", "region").order_by("pk").iterator(chunk_size=CHUNK):
        yield [e.pk, PROGRAM_LABELS.get(e.program, e.program), e.household.head_name, _id(e.household.head, full), e.region.name, e.klass,
               e.persons, e.amount, e.get_status_display(), e.start_month.strftime("%Y-%m"),
               e.next_recheck.isoformat() if e.next_recheck else ""]


ROWS = {"cases": _cases, "households": _households, "enrollments": _enrollments}
# Filters of the household and enrollment list pages that the case filters do not have: (title, choices).
EXTRA = {"households": {"area_type": ("城乡类别", dict(AreaType.choices))},
         "enrollments": {"status": ("状态", dict(Enrollment.Status.choices)),
                         "klass": ("分类", {k: k for k in ("A", "B", "C", "D")})}}


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


def export_xlsx(*, actor, kind: str, filters: CaseFilters, full: bool = False, extra: dict | None = None):
    """(temporary file positioned at 0, file name, rows): the workbook of ``kind`` for the filters."""
    if kind not in KINDS:
        raise ValidationFailed("export.kind", f"导出类型：取值无效，可选：{'、'.join(KINDS)}", field="kind")
    if full and not can(actor, "pii.view_full"):
        raise Forbidden("export.full_forbidden", "您的角色无权导出完整证件号，请导出脱敏版本")
    if not actor_region_code(actor):
        raise Forbidden("export.no_region", "您的账号未设置所属区划，不能导出")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, closed when it is sent
    book = xlsx_workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(KINDS[kind])
    bold = book.add_format({"bold": True})
    rows = -1
    for rows, row in enumerate(ROWS[kind](actor, filters, full, extra or {})):
        if rows > MAX_ROWS:
            book.close()
            out.close()
            raise ValidationFailed("export.too_many", f"超过 {MAX_ROWS} 行，请缩小筛选范围（如按乡镇分别导出）",
                                   field="township")
        sheet.write_row(rows, 0, row,
                        bold if rows == 0 else None)
    book.close()
    with transaction.atomic():
        audit_record(actor=actor, action=f"export.{kind}" + (".full" if full else ""), subject_type="export",
                     subject_id=kind, region_code=actor_region_code(actor) or "",
                     details={"filters": {**filters.as_params(), **(extra or {})}, "rows": max(rows, 0), "full_id_numbers": full})
    out.seek(0)
    return out, f"{KINDS[kind]}.xlsx", max(rows, 0)
