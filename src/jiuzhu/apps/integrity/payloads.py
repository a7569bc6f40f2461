"""What each 失信 service accepts (pydantic; errors name the field in Chinese)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
