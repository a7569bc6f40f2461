"""The certificate register (低保证/特困证登记): certificates in the actor's region scope, with filters,
and its xlsx export (through ``core.spreadsheets``: names are written as text, never as formulas)."""

from __future__ import annotations

from datetime import date

from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.certificate import CERTIFICATE_NAMES
from jiuzhu.rules.errors import NotFound, ValidationFailed

from .models_certificate import Certificate, CertificateIssue

PAGE = 100
STATUS_LABELS = dict(Certificate.Status.choices)
ISSUE_LABELS = dict(CertificateIssue.Kind.choices)


def certificates_search(*, actor, program: str = "", status: str = "", region_code: str = "", number: str = "",
                        page: int = 1, limit: int = PAGE):
    """(rows, more): newest first, in the actor's scope, narrowed to a sub-region when given."""
    if program and program not in CERTIFICATE_NAMES:
        raise ValidationFailed("certificate.program", "救助项目只能是 dibao 或 tekun", field="program")
    if status and status not in STATUS_LABELS:
        raise ValidationFailed("certificate.status", "证件状态只能是 valid(有效) 或 revoked(已注销)", field="status")
    qs = scope_filter(Certificate.objects.all(), actor)
    if region_code:
        if not (region_code.isdigit() and len(region_code) == 12) or not in_scope(actor, region_code):
            raise NotFound("not_found", "区划不存在或不在您的管辖范围内", field="region")
        low, high = subtree_range(region_code)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if program:
        qs = qs.filter(program=program)
    if status:
        qs = qs.filter(status=status)
    if number:
        qs = qs.filter(number__startswith=number.strip()[:24])
    offset = (max(page, 1) - 1) * limit
    rows = list(qs.select_related("region", "enrollment").order_by("-issued_on", "-id")[offset:offset + limit + 1])
    return rows[:limit], len(rows) > limit


def certificate_history(*, enrollment) -> tuple[Certificate | None, list[CertificateIssue]]:
    cert = Certificate.objects.filter(enrollment=enrollment).first()
    return cert, (list(cert.issues.all()) if cert else [])


COLUMNS = ("证号", "证件", "持证人", "村(居)", "分类", "月保障金(元)", "保障人数", "发证日期", "换发次数", "状态", "注销日期")


def certificates_export(*, actor, out, program: str = "", status: str = "", region_code: str = "",
                        today: date) -> int:
    """The register as xlsx on ``out``; the number of certificates written."""
    rows, _ = certificates_search(actor=actor, program=program, status=status, region_code=region_code,
                                  limit=10**6)
    reissues: dict[int, int] = {}
    for cid in CertificateIssue.objects.filter(certificate__in=[r.pk for r in rows], kind="reissue") \
            .values_list("certificate_id", flat=True):
        reissues[cid] = reissues.get(cid, 0) + 1
    wb = xlsx_workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("低保证特困证登记")
    bold, money = wb.add_format({"bold": True}), wb.add_format({"num_format": "0.00"})
    ws.write(0, 0, f"低保证/特困证登记（导出日期 {today.isoformat()}）", bold)
    ws.write_row(1, 0, COLUMNS, bold)
    for i, c in enumerate(rows, start=2):
        e = c.enrollment
        ws.write_row(i, 0, (c.number, CERTIFICATE_NAMES.get(c.program, c.program), c.holder_name, c.region.name,
                            e.klass or "—"))
        ws.write_number(i, 5, float(e.amount), money)
        ws.write_row(i, 6, (e.persons, c.issued_on.isoformat(), reissues.get(c.pk, 0),
                            STATUS_LABELS.get(c.status, c.status), c.revoked_on.isoformat() if c.revoked_on else ""))
    ws.set_column(0, 0, 22)
    ws.set_column(1, 3, 14)
    wb.close()
    return len(rows)
