"""The 核对 report in the case file (一人一档): registered with the case engine as a lookup, since the
engine's app may not import this one (verification builds on cases)."""

from __future__ import annotations

from .files import files_root
from .models import VerificationReport
from .pdf import report_pdf


def case_report_pdf(case) -> tuple[str, bytes] | None:
    """(file name, PDF) of the report recorded in the case (the latest submitted one), or None."""
    report = (VerificationReport.objects.filter(case=case, submitted_at__isnull=False)
              .select_related("case", "region").order_by("-id").first())
    if report is None:
        return None
    return f"家庭经济状况核对报告{report.number}.pdf", (files_root() / report_pdf(report)).read_bytes()
