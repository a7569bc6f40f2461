"""The nine case documents of the seed plan (社会救助审核确认权下放乡镇工作方案, 附件1–9).

The order of ``KINDS`` is the seed's order; the case file (一人一档) binds them in this order,
followed by the verification report and any other material.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiuzhu.rules.errors import ValidationFailed


@dataclass(frozen=True)
class DocumentKind:
    code: str  # stable English identifier, used by the API and the archive
    number: int  # 附件 number in the seed plan
    title: str  # the form's Chinese title, as printed
    template: str  # Django template name
    rank: float = 0  # place in the case file (一人一档); 0 = the 附件 number

    @property
    def attachment_label(self) -> str:
        return f"附件{self.number}" if self.number else ""

    @property
    def order(self) -> float:
        return self.rank or self.number


def _kind(code: str, number: int, title: str) -> DocumentKind:
    return DocumentKind(code, number, title, f"documents/{number:02d}_{code}.html")


KINDS: tuple[DocumentKind, ...] = (
    _kind("authorization", 1, "委托授权书"),
    _kind("economic_info", 2, "申请家庭经济状况信息表"),
    _kind("application", 3, "社会救助申请书"),
    _kind("survey", 4, "入户调查表"),
    _kind("confirmation_form", 5, "最低生活保障(特困供养)审核确认表"),
    _kind("initial_notice", 6, "新增最低生活保障(特困供养)对象初审公示单"),
    _kind("denial_letter", 7, "最低生活保障(特困供养)不予批准决定书"),
    _kind("confirmation_notice", 8, "最低生活保障(特困供养)对象审核确认公示单"),
    _kind("adjustment_notice", 9, "最低生活保障(特困供养)金调整(停发)告知书"),
)

KIND_CODES: tuple[str, ...] = tuple(k.code for k in KINDS)


def _notice(code: str, rank: float, title: str) -> DocumentKind:
    return DocumentKind(code, 0, title, f"documents/notice_{code}.html", rank)


# The written notices the 年审 plan (三(2)一) and the 审核确认权下放 plan name besides 附件1–9, each
# issued at its step and bound into the case file after the application (附件3) it answers.
NOTICE_KINDS: tuple[DocumentKind, ...] = (
    _notice("ineligible_notice", 3.1, "家庭经济状况核对不符合条件告知书"),
    _notice("materials_notice", 3.2, "申请材料补正一次性告知书"),
    _notice("non_acceptance_notice", 3.3, "申请最低生活保障(特困供养)不予受理告知书"),
    _notice("acceptance_notice", 3.4, "申请最低生活保障(特困供养)受理告知书"),
)
NOTICE_KIND_CODES: tuple[str, ...] = tuple(k.code for k in NOTICE_KINDS)


# 临时救助's documents (issue 14 §5; R-TA-03, R-TA-06), in its case file's order; a temporary case
# produces these instead of 附件1–9 (registered as the program's document list by apps.programs).
TEMPORARY_KINDS: tuple[DocumentKind, ...] = tuple(
    DocumentKind(code, 0, title, f"documents/{code}.html", rank) for rank, (code, title) in enumerate((
        ("ta_approval_form", "临时救助申请审批表"), ("ta_advance_register", "先行救助登记表"),
        ("ta_referral_letter", "转介函")), start=1))
TEMPORARY_KIND_CODES: tuple[str, ...] = tuple(k.code for k in TEMPORARY_KINDS)
ALL_KIND_CODES: tuple[str, ...] = KIND_CODES + NOTICE_KIND_CODES + TEMPORARY_KIND_CODES
_BY_CODE: dict[str, DocumentKind] = {k.code: k for k in KINDS + NOTICE_KINDS + TEMPORARY_KINDS}


def kind_get(kind: str | DocumentKind) -> DocumentKind:
    """The kind for a code (or the kind itself); a clear Chinese error for an unknown code."""
    if isinstance(kind, DocumentKind):
        return kind
    try:
        return _BY_CODE[kind]
    except (KeyError, TypeError):
        raise ValidationFailed(
            "document_kind_unknown", f"未知的文书种类：{kind}", field="kind", allowed=list(ALL_KIND_CODES)
        ) from None


def is_kind(code: str) -> bool:
    return code in _BY_CODE
