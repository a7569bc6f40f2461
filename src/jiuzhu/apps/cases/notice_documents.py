"""The written notices a step issues (年审 plan 三(2)一; 审核确认权下放 plan 二(二)1–2), filled from
the case: each is dated on the day of the step that issued it and numbered with the case's id."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.utils import timezone

from jiuzhu.apps.documents import contexts as c

from . import config
from .models import Case, CaseDeadline


def _latest(case: Case, kind: str):
    return case.records.filter(kind=kind).select_related("event").order_by("-id").first()


def _day(record) -> date:
    return timezone.localtime(record.event.at).date()


def _number(h: c.Header, word: str, record) -> str:
    return f"{h.township}救{word}字〔{_day(record).year}〕第{record.case_id}-{record.pk}号"


def _due(case: Case, steps: tuple[str, ...], since: date) -> date | None:
    row = (CaseDeadline.objects.filter(case=case, step__in=steps, starts_on__lte=since)
           .exclude(status=CaseDeadline.Status.CANCELLED).order_by("-id").first())
    return row.due if row else None


def notices(case: Case, h: c.Header, hh: c.Household, applied: date) -> dict[str, object]:
    """The notices the case has issued so far, by kind code (in the case file's order)."""
    out: dict[str, object] = {}
    phone = None

    def objection_phone() -> str:
        nonlocal phone
        phone = phone or config.region_config(case.region_id).objection_phone
        return phone

    ineligible = _latest(case, "ineligible_notice")
    if ineligible:
        report = case.records.filter(kind="verification", id__lt=ineligible.pk).select_related("event") \
            .order_by("-id").first()
        out["ineligible_notice"] = c.IneligibleNoticeContext(
            replace(h, doc_date=_day(ineligible)), hh, _number(h, "核", ineligible), applied,
            f"HD{case.number}", _day(report) if report else None, ineligible.data.get("reason", ""),
            h.township_gov)
    materials = _latest(case, "materials_request")
    if materials:
        out["materials_notice"] = c.MaterialsNoticeContext(
            replace(h, doc_date=_day(materials)), hh, _number(h, "补", materials), applied,
            tuple(materials.data.get("missing") or ()), h.township_gov, objection_phone())
    refused = _latest(case, "non_acceptance")
    if refused:
        out["non_acceptance_notice"] = c.NonAcceptanceNoticeContext(
            replace(h, doc_date=_day(refused)), hh, _number(h, "不受", refused), applied,
            tuple(refused.data.get("reasons") or ()), h.township_gov,
            c.Remedy(f"{h.county}人民政府", f"{h.county}人民法院"))
    accepted = _latest(case, "acceptance")
    if accepted:
        day = _day(accepted)
        out["acceptance_notice"] = c.AcceptanceNoticeContext(
            replace(h, doc_date=day), hh, _number(h, "受", accepted), applied, day,
            _due(case, ("survey", "initial_opinion"), day), _due(case, ("overall",), day), h.township_gov,
            objection_phone())
    return out
