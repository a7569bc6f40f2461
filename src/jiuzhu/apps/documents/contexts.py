"""What each document template needs, as frozen dataclasses of plain values.

The case workflow fills these from its models; the documents app never reads the database.
Conventions:
- money is ``Decimal`` with at most 2 decimal places (a float is refused); ``None`` prints "—";
- ID numbers arrive already masked (``1101**********1234``); an unmasked number is refused;
- labels (relation, sex, health, labour capacity, area type …) arrive as Chinese text;
- sequences may be lists or tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date

from .blocks import (  # noqa: F401  re-exported: the integrator imports everything from here
    PROGRAM_LABELS,
    PROGRAM_SHORT,
    REMEDY_TEXT,
    Adjustment,
    Appraisal,
    AssetItem,
    Confirmation,
    Declaration,
    Denial,
    Header,
    Household,
    IncomeItem,
    Member,
    Notice,
    NoticeRow,
    Obligor,
    Remedy,
    Review,
    SelfCare,
    Survey,
    TraceLine,
    Verification,
    VerificationRow,
)
from .notice_contexts import (  # noqa: F401  re-exported like the blocks
    NOTICE_CONTEXT_TYPES,
    AcceptanceNoticeContext,
    IneligibleNoticeContext,
    MaterialsNoticeContext,
    NonAcceptanceNoticeContext,
)
from .ta_contexts import (  # noqa: F401  临时救助's documents (issue 14 §5)
    TA_CONTEXT_TYPES,
    TaAdvanceRegisterContext,
    TaApprovalFormContext,
    TaHardship,
    TaItem,
    TaPayment,
    TaPerson,
    TaReferralLetterContext,
    TaStep,
)


@dataclass(frozen=True)
class AuthorizationContext:  # 附件1
    header: Header
    household: Household
    grantee: str  # 被授权机关, e.g. 淳安县民政局
    # The applicant signs 附件1 for their own full ID number: their row (0-based) shows it in full. Only
    # set by a service that opened the number for an authorised user and audited it (pii.view_id_number).
    applicant_row: int = -1
    applicant_id_number: str = ""


@dataclass(frozen=True)
class EconomicInfoContext:  # 附件2
    header: Header
    household: Household
    declaration: Declaration


@dataclass(frozen=True)
class ApplicationContext:  # 附件3
    header: Header
    household: Household
    declaration: Declaration
    reason: str  # 申请理由
    application_date: date
    agent_name: str = ""  # 代理申请人（协理员或受委托人）


@dataclass(frozen=True)
class SurveyContext:  # 附件4
    header: Header
    household: Household
    declaration: Declaration
    survey: Survey
    verification: Verification | None = None


@dataclass(frozen=True)
class ConfirmationFormContext:  # 附件5
    header: Header
    household: Household
    declaration: Declaration
    verification: Verification
    survey: Survey
    review: Review
    appraisal: Appraisal | None = None
    confirmation: Confirmation | None = None  # None while awaiting confirmation


@dataclass(frozen=True)
class InitialNoticeContext:  # 附件6
    header: Header
    notice: Notice


@dataclass(frozen=True)
class DenialLetterContext:  # 附件7
    header: Header
    household: Household
    denial: Denial


@dataclass(frozen=True)
class ConfirmationNoticeContext:  # 附件8
    header: Header
    notice: Notice


@dataclass(frozen=True)
class AdjustmentNoticeContext:  # 附件9
    header: Header
    household: Household
    adjustment: Adjustment


CONTEXT_TYPES: dict[str, type] = {
    "authorization": AuthorizationContext,
    "economic_info": EconomicInfoContext,
    "application": ApplicationContext,
    "survey": SurveyContext,
    "confirmation_form": ConfirmationFormContext,
    "initial_notice": InitialNoticeContext,
    "denial_letter": DenialLetterContext,
    "confirmation_notice": ConfirmationNoticeContext,
    "adjustment_notice": AdjustmentNoticeContext,
    **NOTICE_CONTEXT_TYPES,
    **TA_CONTEXT_TYPES,
}


def context_as_dict(ctx) -> dict:
    """The template variables: each top-level field by name (not a deep copy)."""
    if not is_dataclass(ctx):
        raise TypeError("document context must be a dataclass instance")
    return {f.name: getattr(ctx, f.name) for f in fields(ctx)}


def sample_context(kind: str, program: str = "dibao"):
    """A realistic filled context for ``kind`` (tests, previews, the demo)."""
    from .samples import sample_build

    return sample_build(kind, program)
