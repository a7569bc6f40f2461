"""特困人员监护照护 figures for the township and county: persons by capacity, guardian class,
placement and care class; visit completion by month and township (page and xlsx)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiuzhu.apps.care import figures, selectors
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules import care as rules
from jiuzhu.rules.care_supervision import quarter_of, quarter_start

from .common import roles_required
from .dashboard_care import by_class

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHS = 6


def _months(today: date, n: int = MONTHS) -> list[date]:
    index = today.year * 12 + today.month - 1
    return [date((index - k) // 12, (index - k) % 12 + 1, 1) for k in reversed(range(n))]


def _tables(actor, today: date) -> dict:
    c = selectors.counts(actor)
    total = c["total"]

    def rows(counts: dict, labels: dict, missing: str) -> list[tuple[str, int]]:
        return by_class(counts, total, labels, missing)

    needing = c["capacity"].get("limited", 0) + c["capacity"].get("none", 0)
    guardians = [(label, c["guardian_class"].get(code, 0)) for code, label in rules.GUARDIAN_CLASSES.items()]
    guardians.append(("尚未确定监护人", max(needing - sum(n for _, n in guardians), 0)))
    completion = [{**r, "rate": rules.completion_rate(r["done"], r["due"])}
                  for r in selectors.completion(actor, _months(today))]
    return {"total": total, "sections": [
        ("民事行为能力", rows(c["capacity"], rules.CAPACITY, "未登记")),
        ("监护类别（限制或无民事行为能力人员）", guardians),
        ("供养方式", rows(c["placement"], rules.PLACEMENTS, "分散供养（未登记）")),
        ("照料护理等级", rows(c["care_class"], rules.CARE_CLASSES, "未评估")),
    ], "completion": completion, "overdue": selectors.overdue(actor, today).count()}


@login_required
@roles_required("care.supervise", "您的角色无权查看监护照护统计")
@require_GET
def care_report(request):
    today = timezone.localdate()
    tables = _tables(request.user, today)
    return render(request, "web/care_report.html", {"today": today, **tables, **_charts(tables)})


def _charts(tables: dict) -> dict:
    """Chart data (issue 16 §7): each section as bars, and the latest month's visits by township."""
    sections = [{"id": f"care-chart-{i}", "title": title, "rows": rows,
                 "data": {"categories": [label for label, _ in rows], "series": [{"name": "人数", "data": [n for _, n in rows]}]}}
                for i, (title, rows) in enumerate(tables["sections"])]
    latest = max((r["month"] for r in tables["completion"]), default=None)
    rows = [r for r in tables["completion"] if r["month"] == latest]
    completion = {"categories": [r["name"] for r in rows],
                  "series": [{"name": "应探访", "data": [r["due"] for r in rows]},
                             {"name": "已探访", "data": [r["done"] for r in rows]}]}
    return {"section_charts": sections, "completion_chart": completion, "completion_month": latest}


@login_required
@roles_required("care.supervise", "您的角色无权导出监护照护统计")
@require_GET
def care_report_xlsx(request):
    today = timezone.localdate()
    t = _tables(request.user, today)
    buf = BytesIO()
    wb = xlsx_workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("分类统计")
    ws.write_row(0, 0, ["项目", "类别", "人数"], bold)
    r = 1
    for title, rows in t["sections"]:
        for label, n in rows:
            ws.write_row(r, 0, [title, label, n])
            r += 1
    ws.write_row(r, 0, ["合计", "在保特困人员", t["total"]], bold)
    ws.set_column(0, 1, 30)
    ws2 = wb.add_worksheet("探访完成率")
    ws2.write_row(0, 0, ["月份", "乡镇(街道)", "应探访人数", "已探访人数", "完成率"], bold)
    for i, row in enumerate(t["completion"], start=1):
        ws2.write_row(i, 0, [row["month"].strftime("%Y-%m"), row["name"], row["due"], row["done"], row["rate"]])
    ws2.set_column(0, 4, 16)
    _supervision_sheets(wb, bold, request.user, today)
    wb.close()
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="care-report-{today:%Y%m%d}.xlsx"'
    return response


def _sheet(wb, bold, name: str, headers: list[str], rows: list[list]) -> None:
    ws = wb.add_worksheet(name)
    ws.write_row(0, 0, headers, bold)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, ["" if cell is None else cell for cell in row])
    ws.set_column(0, len(headers) - 1, 16)


def _supervision_sheets(wb, bold, actor, today: date) -> None:
    """Overdue visits now and this quarter's satisfaction by township; the running 摸底 campaigns'
    progress when one runs (issue 16 §7)."""
    _sheet(wb, bold, "未按期探访", ["乡镇(街道)", "分散供养人数", "未按期探访人数", "占比", "统计日期"],
           [[r["name"], r["dispersed"], r["overdue"], r["share"], f"{today:%Y-%m-%d}"]
            for r in figures.overdue_by_township(actor, today)])
    quarter = quarter_of(today)
    _sheet(wb, bold, "满意度调查", ["季度", "乡镇(街道)", "调查份数", "总体评价均分", "满意人数", "满意率"],
           [[quarter, r["name"], r["surveys"], r["mean"], r["satisfied_count"], r["satisfied"]]
            for r in figures.satisfaction_by_township(actor, quarter_start(quarter))])
    progress = figures.survey_progress(actor)
    if progress:
        _sheet(wb, bold, "摸底排查进度", ["乡镇(街道)", "应摸底人数", "已完成", "未完成", "完成率"],
               [[r["name"], r["total"], r["done"], r["pending"], r["percent"]] for r in progress])
