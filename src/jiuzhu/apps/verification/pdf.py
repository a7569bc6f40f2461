"""The report as a PDF (WeasyPrint with the documents app's local-only fetcher and CJK font check)."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf
from jiuzhu.apps.regions.models import Region
from jiuzhu.batch.datasets import DEDUCTION_ITEMS, INCOME_ITEMS

from .files import files_root, relative
from .models import VerificationReport

CONCLUSIONS = {"consistent": "核对结果与申报一致", "inconsistent": "核对结果与申报不一致"}


def report_html(report: VerificationReport) -> str:
    r = report.data
    monthly = r["totals"]["monthly"]
    region = Region.objects.filter(pk=report.region_id).values_list("full_name", "name").first()
    return render_to_string("verification/report_pdf.html", {
        "r": r, "number": report.number, "digest": report.digest, "conclusion": CONCLUSIONS[report.conclusion],
        "region_name": (region[0] or region[1]) if region else report.region_id,
        "income_total": str(sum(Decimal(monthly[k]) for k in INCOME_ITEMS)),
        "deduction_total": str(sum(Decimal(monthly[k]) for k in DEDUCTION_ITEMS)),
    })


def report_pdf(report: VerificationReport) -> str:
    """Write (once) and return the PDF path relative to the files directory."""
    if report.pdf_path and (files_root() / report.pdf_path).exists():
        return report.pdf_path
    cjk_font_check()
    path = files_root() / "verification" / "reports" / f"{report.number}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(html_to_pdf(report_html(report)))
    report.pdf_path = relative(path)
    VerificationReport.objects.filter(pk=report.pk).update(pdf_path=report.pdf_path)
    return report.pdf_path
