"""Schemas of the township 备用金 API (``/v1/reserve``): money as strings of yuan with two decimals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from .schemas import Text

TOWNSHIP_PATTERN = r"^\d{12}$"
MONTH_PATTERN = r"^\d{4}-\d{1,2}$"


class FundOut(Schema):
    township: str = Field(description="乡镇(街道)区划代码")
    name: str
    balance: str = Field(description="余额(元)")
    allocated: str = Field(description="累计县级拨付(元)")
    replenished: str = Field(description="累计县级补充(元)")
    drawn: str = Field(description="累计救助支出(元)")
    reconciled: bool = Field(description="拨付 + 补充 − 支出 = 余额（到分）")


class EntryOut(Schema):
    id: str
    kind: str = Field(description="allocation 县级拨付 / draw 救助支出 / replenishment 县级补充")
    kind_label: str
    amount: str
    balance_after: str = Field(description="本笔后的结余(元)")
    case: str | None = Field(None, description="救助支出所属案件")
    case_number: str | None = None
    reference: str = Field(description="支付事项（advance 先行救助 / stage-N 第 N 期）")
    replenishment: str | None = Field(None, description="列入的补充申请（支出）或所兑现的申请（补充）")
    note: str
    at: datetime
    actor: str


class EntryPage(Schema):
    items: list[EntryOut]
    next_page: int | None = Field(None, description="下一页页码；没有更多时为 null")


class EntryQuery(Schema):
    page: int = Field(1, ge=1, le=10**6, title="页码")


class AllocationIn(Schema):
    amount: Decimal = Field(title="金额（元）", gt=0, le=Decimal("99999999.99"), decimal_places=2)
    note: Text(200) = Field("", title="说明")  # type: ignore[valid-type]


class ReplenishIn(Schema):
    note: Text(200) = Field("", title="申请说明")  # type: ignore[valid-type]


class DecideIn(Schema):
    reason: Text(500) = Field("", title="审批意见（不予补充时必填）")  # type: ignore[valid-type]


class MonthIn(Schema):
    month: str = Field(title="对账月份（YYYY-MM）", pattern=MONTH_PATTERN)


class MonthQuery(Schema):
    month: str = Field(title="对账月份（YYYY-MM）", pattern=MONTH_PATTERN)


class ReplenishmentOut(Schema):
    id: str
    number: str = Field(description="补充申请编号")
    township: str
    status: str = Field(description="pending 待县级审批 / approved 已批准补充 / refused 不予补充")
    status_label: str
    amount: str
    draw_count: int
    listing: list[dict] = Field(description="所列支出：entry、date、case、case_id、reference、amount")
    note: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str


class MonthOut(Schema):
    township: str
    name: str
    month: str
    opening: str = Field(description="期初余额(元)")
    allocated: str
    replenished: str
    drawn: str
    draws: int = Field(description="支出笔数")
    closing: str = Field(description="期末余额(元)：期初 + 拨付 + 补充 − 支出")
    ledger_closing: str = Field(description="台账月末结余(元)")
    matched: bool = Field(description="到分相符")
    status: str
    confirmed_at: datetime | None = Field(None, description="乡镇确认对账的时间；未确认为 null")
