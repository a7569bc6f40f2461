"""Contexts of the 临时救助 documents (issue 14 §5; R-TA-03, R-TA-06): the application and approval form
(临时救助申请审批表), the register sheet of 先行救助 (先行救助登记表) and the referral letter (转介函) of
the referral modality. Plain values like ``contexts``; each is dated on the event it records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jiuzhu.rules.errors import ValidationFailed

from .blocks import Header, _money_ok, _require


def _masked(id_number: str) -> None:
    digits = sum(ch.isdigit() for ch in id_number)
    _require(not id_number or ("*" in id_number and digits <= 10), "document_id_unmasked",
             "文书中的身份证号码必须脱敏", "person.id_number_masked")


@dataclass(frozen=True)
class TaPerson:
    """The person helped (the applicant) and, when registered, the household."""

    name: str
    id_number_masked: str
    sex: str
    age: int | None
    address: str
    household_size: int
    area_type: str  # 城市 / 农村
    phone_masked: str = ""

    def __post_init__(self):
        _masked(self.id_number_masked)


@dataclass(frozen=True)
class TaHardship:
    """What happened (the intake): kind, category, circumstance, when and where, the amount asked."""

    kind_label: str  # 急难型 / 支出型
    category: str  # 火灾、突发重大疾病、医疗支出 …
    circumstance: str
    occurred_on: date
    place: str  # 急难发生地 (村/社区), "" for 支出型
    need: Decimal
    application_date: date

    def __post_init__(self):
        _money_ok(self.need, "hardship.need")


@dataclass(frozen=True)
class TaPayment:
    """One payment: 先行救助 or a stage of an approval (一次审批、分阶段救助)."""

    label: str  # 先行救助 / 第1期（共2期）
    amount: Decimal
    paid_on: date
    modality: str  # 银行代发 / 现金(凭收据) / 实物
    recipient: str
    receipt_number: str = ""
    payer: str = ""  # who paid (staff name and post)
    from_reserve: bool = False

    def __post_init__(self):
        _money_ok(self.amount, "payment.amount")


@dataclass(frozen=True)
class TaStep:
    """核对 / 入户调查 / 公示 with its date and result (or "—" when not done)."""

    label: str
    on: date | None
    result: str


@dataclass(frozen=True)
class TaItem:
    name: str
    value: Decimal

    def __post_init__(self):
        _money_ok(self.value, "item.value")


@dataclass(frozen=True)
class TaApprovalFormContext:  # 临时救助申请审批表
    header: Header
    person: TaPerson
    hardship: TaHardship
    steps: Sequence[TaStep]
    township_opinion: str
    decision: str  # 同意救助 / 不予救助 / 先行救助，补办完成
    level: str  # 乡镇审批 / 县级审批 / 一事一议
    amount: Decimal | None
    modality: str
    stages: Sequence[Decimal]
    payments: Sequence[TaPayment]
    township_limit: Decimal | None
    county_cap: Decimal | None
    approver: str
    decided_on: date
    opinion: str = ""
    council: str = ""  # 一事一议: meeting date, attendees and minutes
    referral_to: str = ""
    items: Sequence[TaItem] = ()
    paid_total: Decimal = Decimal("0.00")  # the payments' sum (the caller adds them up)

    def __post_init__(self):
        for field, value in (("amount", self.amount), ("township_limit", self.township_limit),
                             ("county_cap", self.county_cap)):
            _money_ok(value, field, optional=True)
        for s in (*self.stages, self.paid_total):
            _money_ok(s, "stages")
        _require(self.paid_total == sum((p.amount for p in self.payments), Decimal("0.00")),
                 "document_paid_total", "发放合计与发放记录不符", "paid_total")


@dataclass(frozen=True)
class TaAdvanceRegisterContext:  # 先行救助登记表
    header: Header
    person: TaPerson
    hardship: TaHardship
    payment: TaPayment
    reason: str
    items: Sequence[TaItem] = ()
    follow_up_due: date | None = None  # 补办 (核对、调查、公示) due

    def __post_init__(self):
        if not self.reason.strip():
            raise ValidationFailed("document_advance_no_reason", "先行救助必须登记理由", field="reason")


@dataclass(frozen=True)
class TaReferralLetterContext:  # 转介函
    header: Header
    person: TaPerson
    hardship: TaHardship
    letter_number: str
    referral_to: str
    request: str  # what the receiving unit is asked to do (the approval's opinion)
    issuer: str
    contact: str  # the officer who approved (name and post)

    def __post_init__(self):
        _require(bool(self.referral_to.strip()), "document_referral_no_unit", "转介函须写明转介单位", "referral_to")


TA_CONTEXT_TYPES: dict[str, type] = {
    "ta_approval_form": TaApprovalFormContext,
    "ta_advance_register": TaAdvanceRegisterContext,
    "ta_referral_letter": TaReferralLetterContext,
}
