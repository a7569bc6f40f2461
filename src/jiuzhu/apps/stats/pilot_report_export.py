"""The pilot evaluation report for a user: the report of a period with the county's saved text
(:func:`pilot_report`), saving the edited text as a draft (:func:`pilot_report_save`, audited) and
the exports — an A4 PDF with the SVG charts (WeasyPrint, CJK fonts as the other documents) and an
xlsx with the text and one sheet per table (formulas never written) — each audited."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.template.loader import render_to_string
from pydantic import BaseModel, Field

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf
from jiuzhu.core.validation import validate
from jiuzhu.rules.errors import Forbidden, ValidationFailed

from .models import PilotReportDraft
from .pilot_period import Period, parse_period
from .pilot_report import SECTIONS, PilotReport, build_report, check_county
from .xlsx import panels_xlsx

FORMATS = ("xlsx", "pdf")
TEXT_MAX = 3000


class SectionTexts(BaseModel):
    progress: str = Field(default="", max_length=TEXT_MAX, title="进展情况")
    beneficiaries: str = Field(default="", max_length=TEXT_MAX, title="受益人群")
    funds: str = Field(default="", max_length=TEXT_MAX, title="资金使用")
    efficiency: str = Field(default="", max_length=TEXT_MAX, title="办理效率")
    effect: str = Field(default="", max_length=TEXT_MAX, title="实施效果")


def _draft(region: str, period: Period) -> PilotReportDraft | None:
    return PilotReportDraft.objects.filter(region=region, kind=period.kind, start=period.start, end=period.end).first()


def pilot_report(*, actor, raw: dict, today: date, region: str = "") -> tuple[PilotReport, PilotReportDraft | None]:
    """The report of the period in ``raw`` (kind, year, start, end) for the actor's county, with the
    saved draft's text when there is one. Bad input raises a Chinese error naming the field."""
    code, _name = check_county(actor, region)
    period = parse_period(raw, today=today)
    draft = _draft(code, period)
    return build_report(actor=actor, region=code, period=period, texts=draft.texts if draft else None), draft


def pilot_report_save(*, actor, raw: dict, texts: dict, now: datetime, today: date,
                      region: str = "") -> PilotReportDraft:
    """Save the edited text of each section for the period (a blank text falls back to the
    generated sentence). Only county staff edit; audited with the sections changed."""
    if not can(actor, "stats.report_edit"):
        raise Forbidden("forbidden", "只有县民政工作人员可以编辑试点评估报告")
    code, _name = check_county(actor, region)
    period = parse_period(raw, today=today)
    clean = validate(SectionTexts, {k: str(texts.get(k, "")) for k, _t in SECTIONS}, code="stats.pilot_text")
    values = {k: v.strip() for k, v in clean.model_dump().items() if v.strip()}
    with transaction.atomic():
        draft = _draft(code, period)
        before = dict(draft.texts) if draft else {}
        if draft is None:
            draft = PilotReportDraft(region=code, kind=period.kind, start=period.start, end=period.end)
        draft.texts, draft.updated_by, draft.updated_at = values, actor, now
        draft.save()
        changed = sorted(k for k, _t in SECTIONS if before.get(k, "") != values.get(k, ""))
        audit_record(actor=actor, action="stats.pilot_report_save", subject_type="pilot_report", subject_id=draft.pk,
                     region_code=code, details={"kind": period.kind, "start": f"{period.start:%Y-%m}",
                                                "end": f"{period.end:%Y-%m}", "changed": changed}, at=now)
    return draft


def report_xlsx(report: PilotReport) -> bytes:
    texts = [(s.title, s.text) for s in report.sections]
    return panels_xlsx(report.panels, heading=report.title, texts=texts)


def report_pdf(report: PilotReport, *, today: date) -> bytes:
    cjk_font_check()
    html = render_to_string("stats/pilot_report.html", {"report": report, "today": today})
    return html_to_pdf(html)


def pilot_report_export(*, actor, report: PilotReport, fmt: str, now: datetime, today: date) -> bytes:
    if fmt not in FORMATS:
        raise ValidationFailed("stats.format", f"导出格式（format）“{str(fmt)[:10]}”不支持，应为 xlsx 或 pdf", field="format")
    content = report_xlsx(report) if fmt == "xlsx" else report_pdf(report, today=today)
    p = report.period
    audit_record(actor=actor, action="stats.pilot_report_export", subject_type="region", subject_id=report.region,
                 region_code=report.region, details={"kind": p.kind, "start": f"{p.start:%Y-%m}", "end": f"{p.end:%Y-%m}",
                                                     "format": fmt}, at=now)
    return content
