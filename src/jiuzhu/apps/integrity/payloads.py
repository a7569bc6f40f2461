"""What each integrity service (失信 records, recovery) accepts (pydantic; errors name the field in Chinese)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jiuzhu.apps.cases.payloads import PastDate

RowRef = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProposePayload(Payload):
    person: RowRef | None = Field(None, title="当事人")
    id_number: str = Field("", title="当事人身份证号", max_length=18)
    case: RowRef | None = Field(None, title="相关案件编号")
    behaviour: str = Field(title="失信情形", min_length=1, max_length=32)
    facts: str = Field(title="事实经过", min_length=5, max_length=2000)
    amount: Decimal = Field(Decimal(0), title="涉及金额(元)", ge=0, max_digits=14, decimal_places=2)

    @model_validator(mode="after")
    def _check(self):
        if self.person is None and not self.id_number:
            raise ValueError("id_number|请填写当事人身份证号")
        return self


class DecidePayload(Payload):
    approve: bool = Field(title="决定")
    decision: str = Field(title="决定意见", min_length=2, max_length=2000)
    decision_number: str = Field("", title="决定文号", max_length=60)


class RemovePayload(Payload):
    reason: str = Field(title="移出原因", min_length=2, max_length=1000)


class AppealPayload(Payload):
    text: str = Field(title="申诉理由", min_length=2, max_length=2000)


class AppealDecidePayload(Payload):
    upheld: bool = Field(title="申诉处理结果")
    decision: str = Field(title="申诉处理意见", min_length=2, max_length=2000)


Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", title="月份")]


class RaisePayload(Payload):
    enrollment: RowRef = Field(title="在保对象编号")
    reason: str = Field(title="原因", min_length=1, max_length=20)
    months: list[Month] = Field(title="多发月份", min_length=1, max_length=120)
    note: str = Field("", title="情况说明", max_length=2000)


class InstalmentPayload(Payload):
    count: int = Field(title="分期数", ge=1, le=60)
    first_due: dt.date = Field(title="首期应还日期")


class ReceiptPayload(Payload):
    amount: Decimal = Field(title="到账金额(元)", gt=0, max_digits=14, decimal_places=2)
    received_on: PastDate = Field(title="到账日期")
    note: str = Field("", title="备注", max_length=200)


class WriteOffPayload(Payload):
    reason: str = Field(title="核销理由", min_length=4, max_length=2000)


class WriteOffDecidePayload(Payload):
    approve: bool = Field(title="审批结果")
    note: str = Field(title="审批意见", min_length=2, max_length=2000)


class IntakePayload(Payload):
    category: str = Field(title="类别", min_length=1, max_length=10)
    channel: str = Field(title="渠道", min_length=1, max_length=10)
    region: str = Field(title="乡镇（街道）", pattern=r"^\d{12}$")
    case: RowRef | None = Field(None, title="相关案件编号")
    enrollment: RowRef | None = Field(None, title="相关在保对象编号")
    content: str = Field(title="反映内容", min_length=5, max_length=5000)
    received_on: PastDate = Field(title="收到日期")
    anonymous: bool = Field(False, title="匿名")
    reporter_name: str = Field("", title="反映人姓名", max_length=50)
    reporter_phone: str = Field("", title="反映人电话", pattern=r"^(\d{7,12}|1\d{10})?$")

    @model_validator(mode="after")
    def _check(self):
        if not self.anonymous and not self.reporter_name:
            raise ValueError("reporter_name|实名反映须填写反映人姓名（或勾选匿名）")
        return self


class AssignPayload(Payload):
    handler: RowRef = Field(title="承办人")


class AcceptPayload(Payload):
    accept: bool = Field(title="是否受理")
    note: str = Field("", title="说明", max_length=2000)


class InvestigatePayload(Payload):
    text: str = Field(title="调查核实情况", min_length=5, max_length=5000)


class ConcludePayload(Payload):
    result: str = Field(title="核实结论", min_length=1, max_length=10)
    text: str = Field(title="处理结果", min_length=5, max_length=5000)


class SatisfactionPayload(Payload):
    satisfaction: str = Field(title="满意度", min_length=1, max_length=12)
