"""What the 临时救助 actions accept (issue 14 §1; R-TA-02…06). Registered with the case engine by
``ProgramsConfig.ready`` (registry.register_action), so the API documents them like dibao's."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from jiuzhu.apps.cases.payloads import Name, PastDate, Payload, RowRef

Money = Annotated[Decimal, Field(ge=0, le=Decimal("9999999.99"), max_digits=9, decimal_places=2)]
# R-TA-06: cash to a bank account or in cash with a receipt, in kind (items and value), referral.
MODALITIES = {"bank": "银行代发", "cash": "现金(凭收据)", "in_kind": "实物", "referral": "转介服务"}
Modality = Literal["bank", "cash", "in_kind", "referral"]
CATEGORIES = {"fire": "火灾", "traffic": "交通事故", "accident": "其他意外事件", "illness": "突发重大疾病",
              "disaster": "自然灾害", "other": "其他急难情形", "medical": "医疗支出", "education": "教育支出",
              "living": "基本生活必需支出"}


class Item(Payload):
    name: str = Field(title="物品", min_length=1, max_length=100)
    value: Money = Field(title="折价(元)")


class _Delivery(Payload):
    """How the money or goods reach the person (R-TA-06)."""

    modality: Modality = Field(title="救助方式")
    recipient: str = Field("", title="领取人", max_length=50)
    receipt_number: str = Field("", title="收据编号", max_length=40)
    items: list[Item] = Field(default_factory=list, title="实物清单", max_length=50)
    referral_to: str = Field("", title="转介单位", max_length=100)

    def _check_delivery(self, amount: Decimal):
        if self.modality == "cash" and not self.receipt_number:
            raise ValueError("receipt_number|现金发放须填写收据编号")
        if self.modality in ("cash", "in_kind") and not self.recipient:
            raise ValueError("recipient|请填写领取人")
        if self.modality == "in_kind":
            if not self.items:
                raise ValueError("items|实物救助须逐项填写物品及折价")
            if sum((i.value for i in self.items), Decimal(0)) != amount:
                raise ValueError("items|实物折价合计须等于救助金额")
        if self.modality == "referral" and not self.referral_to:
            raise ValueError("referral_to|转介服务须填写转介单位")


class TemporarySubmitPayload(Payload):
    """Opening a temporary-assistance case: the emergency's place (R-TA-04) or the expenditure."""

    kind: Literal["emergency", "expenditure"] = Field(title="临时救助类型")
    category: Literal[tuple(CATEGORIES)] = Field(title="困难类别")  # type: ignore[valid-type]
    circumstance: str = Field(title="困难情形", min_length=1, max_length=2000)
    occurred_on: PastDate = Field(title="发生日期")
    place_region: str = Field("", title="急难发生地(村/社区代码)", max_length=12)
    need: Money = Field(Decimal(0), title="申请救助金额(元)")
    confirm_duplicate: bool = Field(False, title="确认再次登记同一急难事件")

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "emergency" and not self.place_region:
            raise ValueError("place_region|急难型须填写急难发生地（村/社区）")
        return self


class AdvancePayload(_Delivery):
    """先行救助 (R-TA-03): paid by the township directly, reason, amount and recipient recorded."""

    amount: Money = Field(title="先行救助金额(元)", gt=0)
    reason: str = Field(title="先行救助理由", min_length=1, max_length=2000)
    from_reserve: bool = Field(False, title="从乡镇备用金支付")

    @model_validator(mode="after")
    def _check(self):
        if not self.recipient:
            raise ValueError("recipient|请填写领取人")
        if self.modality == "referral":
            raise ValueError("modality|先行救助须发放现金或实物")
        self._check_delivery(self.amount)
        return self


class TaVerificationPayload(Payload):
    income_per_capita: Money = Field(title="家庭月人均收入(元)")
    assets_within_limits: bool = Field(title="家庭财产符合本地区规定")
    verified_on: PastDate = Field(title="核对日期")
    note: str = Field("", title="说明", max_length=2000)


class TaSurveyPayload(Payload):
    surveyed_on: PastDate = Field(title="调查日期")
    investigators: list[Name] = Field(title="调查人员", min_length=2, max_length=10)
    findings: str = Field(title="调查情况", min_length=1, max_length=4000)


class TaNoticePayload(Payload):
    """公示; 急难型 may skip it (R-TA-03, R-PUB-01) with the reason recorded."""

    exempt: bool = Field(False, title="免于公示")
    exempt_reason: str = Field("", title="免于公示理由", max_length=500)
    starts_on: PastDate | None = Field(None, title="公示开始日期")

    @model_validator(mode="after")
    def _check(self):
        if self.exempt and not self.exempt_reason:
            raise ValueError("exempt_reason|免于公示须说明理由")
        if not self.exempt and self.starts_on is None:
            raise ValueError("starts_on|请填写公示开始日期")
        return self


class DecisionPayload(_Delivery):
    """Approval: amount, modality and the stages (一次审批、分阶段救助, R-TA-06)."""

    amount: Money = Field(title="救助金额(元)")
    stages: list[Money] = Field(default_factory=list, title="分阶段发放金额(元)", max_length=12)
    note: str = Field("", title="审批意见", max_length=2000)
    # issue 14 §3: the hardship will last — the household is suggested to apply for dibao/特困
    lasting_hardship: bool = Field(False, title="困难具有长期性（建议申请低保或特困供养）")

    @model_validator(mode="after")
    def _check(self):
        if self.modality != "referral" and self.amount <= 0:
            raise ValueError("amount|救助金额须大于0")
        if self.stages and sum(self.stages, Decimal(0)) != self.amount:
            raise ValueError("stages|各阶段金额合计须等于救助金额")
        if self.stages and any(s <= 0 for s in self.stages):
            raise ValueError("stages|每一阶段金额须大于0")
        self._check_delivery(self.amount)
        return self


class CouncilPayload(DecisionPayload):
    """一事一议 (R-TA-05): the meeting record."""

    meeting_on: PastDate = Field(title="会议日期")
    attendees: list[Name] = Field(title="参会人员", min_length=3, max_length=30)
    minutes: str = Field(title="会议纪要", min_length=1, max_length=4000)


class ReferCountyPayload(Payload):
    amount: Money = Field(title="拟救助金额(元)", gt=0)
    note: str = Field("", title="乡镇意见", max_length=2000)


class PayPayload(Payload):
    """One stage paid (the stage's amount comes from the approval)."""

    modality: Literal["bank", "cash", "in_kind"] = Field(title="发放方式")
    recipient: str = Field(title="领取人", min_length=1, max_length=50)
    receipt_number: str = Field("", title="收据编号", max_length=40)
    paid_on: PastDate = Field(title="发放日期")
    from_reserve: bool = Field(False, title="从乡镇备用金支付")

    @model_validator(mode="after")
    def _check(self):
        if self.modality == "cash" and not self.receipt_number:
            raise ValueError("receipt_number|现金发放须填写收据编号")
        return self


class TaNotePayload(Payload):
    note: str = Field("", title="备注", max_length=500)


class TaReasonPayload(Payload):
    reason: str = Field(title="理由", min_length=1, max_length=2000)


__all__ = ["RowRef"]
