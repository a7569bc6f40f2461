"""The 自查自纠 campaign report by township (issue 15 §5): hits, resolved, open, overdue and the
outcomes per township, and per check; a page, an xlsx (xlsxwriter through core.spreadsheets, text
cells never formulas) and a PDF (WeasyPrint through apps.documents, CJK font embedded). Exports are
audited; a township user sees only their township's rows."""

from __future__ import annotations

import io
from datetime import date, datetime

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf
from jiuzhu.apps.regions.models import Region
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.selfcheck import CHECKS, OUTCOMES

from .selfcheck_models import SelfCheckCampaign
from .selfcheck_resolve import items_visible

COLUMNS = [("name", "乡镇（街道）"), ("hits", "疑点数"), ("resolved", "已整改"), ("open", "待整改"),
           ("overdue", "逾期未整改"), *[(f"o_{k}", v) for k, v in OUTCOMES.items()]]
ITEM_COLUMNS = ["序号", "乡镇（街道）", "村(居)", "户主", "检查项目", "依据", "疑点说明", "疑点日期", "涉及金额(元)",
                "整改期限", "状态", "整改结果", "核查情况"]


def summary(*, actor, campaign: SelfCheckCampaign, today: date) -> dict:
    qs = items_visible(actor=actor, campaign=campaign)
    counts = {"hits": Count("id"), "resolved": Count("id", filter=Q(status="resolved")),
              "open": Count("id", filter=Q(status="open")),
              "overdue": Count("id", filter=Q(status="open", due_date__lt=today)),
              **{f"o_{k}": Count("id", filter=Q(outcome=k)) for k in OUTCOMES}}
    rows = list(qs.values("region_id").annotate(**counts).order_by("region_id"))
    names = dict(Region.objects.filter(code__in=[r["region_id"] for r in rows]).values_list("code", "name"))
    for r in rows:
        r["name"] = names.get(r["region_id"], r["region_id"])
    keys = [k for k, _ in COLUMNS[1:]]
    sums = {k: sum(r[k] for r in rows) for k in keys}
    by_check = dict(qs.values_list("check_code").annotate(n=Count("id")).values_list("check_code", "n"))
    checks = [{"code": c, "label": CHECKS[c].label, "rule": CHECKS[c].rule, "hits": by_check.get(c, 0),
               "skipped": c in (campaign.skipped or [])} for c in campaign.checks if c in CHECKS]
    return {"rows": rows, "sums": {"name": "合计", **sums}, "checks": checks, "columns": COLUMNS}


def report_xlsx(*, actor, campaign: SelfCheckCampaign, now: datetime) -> bytes:
    today = timezone.localtime(now).date()
    data = summary(actor=actor, campaign=campaign, today=today)
    buf = io.BytesIO()
    wb = xlsx_workbook(buf, {"in_memory": True, "constant_memory": True})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("按乡镇汇总")
    ws.write(0, 0, f"{campaign.name}（检查基准日 {campaign.as_of.isoformat()}）", bold)
    for col, (_, label) in enumerate(COLUMNS):
        ws.write(1, col, label, bold)
    for i, row in enumerate([*data["rows"], data["sums"]], start=2):
        for col, (key, _) in enumerate(COLUMNS):
            ws.write(i, col, row[key])
    ws.set_column(0, 0, 18)
    items = wb.add_worksheet("整改事项")
    for col, label in enumerate(ITEM_COLUMNS):
        items.write(0, col, label, bold)
    qs = items_visible(actor=actor, campaign=campaign).order_by("region_id", "village_id", "id")
    n = 0
    for n, it in enumerate(qs.iterator(chunk_size=2000), start=1):
        values = [n, it.region.name, it.village.name, it.household.head_name, it.check_label, it.check_rule, it.detail,
                  it.event_date.isoformat() if it.event_date else "", float(it.amount), it.due_date.isoformat(),
                  it.get_status_display(), it.get_outcome_display() if it.outcome else "", it.result]
        for col, value in enumerate(values):
            items.write(n, col, value)
    wb.close()
    audit_record(actor=actor, action="selfcheck.report", subject_type="selfcheck_campaign", subject_id=campaign.pk,
                 region_code=actor.region_id or campaign.region_id, after={"format": "xlsx", "items": n}, at=now)
    return buf.getvalue()


def report_pdf(*, actor, campaign: SelfCheckCampaign, now: datetime) -> bytes:
    cjk_font_check()
    today = timezone.localtime(now).date()
    data = summary(actor=actor, campaign=campaign, today=today)
    html = render_to_string("integrity/selfcheck_report.html", {
        "kind": {"title": "社会救助自查自纠整改情况报告", "attachment_label": ""}, "campaign": campaign,
        "data": data, "today": today, "issuer": f"{campaign.region.name}民政局"})
    pdf = html_to_pdf(html)
    audit_record(actor=actor, action="selfcheck.report", subject_type="selfcheck_campaign", subject_id=campaign.pk,
                 region_code=actor.region_id or campaign.region_id, after={"format": "pdf"}, at=now)
    return pdf
