"""Contexts of the written notices issued at a step (年审 plan 三(2)一; 审核确认权下放 plan 二(二)1–2):
受理告知书, 不予受理告知书, the notice that 核对 found the household ineligible, and the 一次性告知 of
missing materials. Plain values like ``contexts``; each is dated on the day of its step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jiuzhu.rules.errors import ValidationFailed

from .blocks import Header, Household, Remedy


def _nonempty(items: Sequence[str], code: str, message: str, field: str) -> None:
    if not items or not all(str(i).strip() for i in items):
        raise ValidationFailed(code, message, field=field)


@dataclass(frozen=True)
class AcceptanceNoticeContext:  # 申请最低生活保障受理告知书
    header: Header
    household: Household
    notice_number: str
    application_date: date
    accepted_on: date
    survey_due: date | None  # 入户调查 (tekun: 调查及初审意见) due
    overall_due: date | None  # 审核确认 overall limit
    issuer: str
    objection_phone: str


@dataclass(frozen=True)
class NonAcceptanceNoticeContext:  # 申请最低生活保障不予受理告知书
    header: Header
    household: Household
    notice_number: str
    application_date: date
    reasons: Sequence[str]
    issuer: str
    remedy: Remedy

    def __post_init__(self):
        _nonempty(self.reasons, "document_non_acceptance_no_reason", "不予受理必须说明理由", "reasons")

    @property
    def remedy_text(self) -> str:
        return self.remedy.text_for("本告知书")


@dataclass(frozen=True)
class IneligibleNoticeContext:  # 核对不符合条件的书面告知（审核确认权下放 plan 二(二)1）
    header: Header
    household: Household
    notice_number: str
    application_date: date
    report_number: str
    report_date: date | None
    reason: str
    issuer: str

    def __post_init__(self):
        _nonempty([self.reason], "document_ineligible_no_reason", "核对不符合条件的告知必须说明理由", "reason")


@dataclass(frozen=True)
class MaterialsNoticeContext:  # 一次性告知需补正材料（审核确认权下放 plan 二(二)2）
    header: Header
    household: Household
    notice_number: str
    application_date: date
    items: Sequence[str]
    issuer: str
    objection_phone: str

    def __post_init__(self):
        _nonempty(self.items, "document_materials_empty", "一次性告知须列明全部需补正材料", "items")


NOTICE_CONTEXT_TYPES: dict[str, type] = {
    "acceptance_notice": AcceptanceNoticeContext,
    "non_acceptance_notice": NonAcceptanceNoticeContext,
    "ineligible_notice": IneligibleNoticeContext,
    "materials_notice": MaterialsNoticeContext,
}
