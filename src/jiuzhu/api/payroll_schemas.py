"""Payroll API shapes (社会化发放): batches, their totals by township and class, the prepare request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from .schemas import IdStr

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class BatchQuery(Schema):
    region: str = Field("", title="区划代码", pattern=r"^(\d{12})?$", description="只列该区划（含下级）的批次")
    month: str | None = Field(None, title="发放月份", pattern=MONTH_PATTERN, description="YYYY-MM")
    status: Literal["", "prepared", "approved", "reconciled"] = Field("", title="批次状态")
    limit: int = Field(100, ge=1, le=500, title="最多返回条数")


class PrepareIn(Schema):
    region: str = Field(title="发放区划", pattern=r"^\d{12}$", description="县(市、区)或乡镇(街道)的12位区划代码")
    month: str = Field(title="发放月份", pattern=MONTH_PATTERN, description="YYYY-MM，最晚为下月")


class BatchOut(Schema):
    id: IdStr
    number: str = Field(description="批次号：区划-年月-ZC(正常)/BF(补发)序号")
    region: str
    region_name: str
    month: date
    kind: str
    kind_label: str
    seq: int
    status: str
    status_label: str
    households: int
    persons: int
    lines: int
    total_amount: str = Field(description="金额合计（元）")
    carried: int = Field(description="结转补发的失败明细笔数")
    missing_account: int = Field(description="应发但缺银行账号、未列入的对象数")
    building: bool = Field(description="正在生成（不能审核、导出）")
    prepared_by: str
    prepared_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    reconciled_at: datetime | None
    bank_file: bool = Field(description="已生成银行文件")


class BatchList(Schema):
    items: list[BatchOut]


class TotalsRow(Schema):
    township: str
    township_name: str
    klass: str
    households: int
    persons: int
    lines: int
    amount: str


class TownshipRow(Schema):
    township: str
    township_name: str
    households: int
    persons: int
    lines: int
    amount: str


class StatusCount(Schema):
    lines: int
    amount: str


class BatchDetail(BatchOut):
    totals: list[TotalsRow] = Field(description="按乡镇、分类汇总")
    townships: list[TownshipRow] = Field(description="按乡镇小计")
    by_status: dict[str, StatusCount] = Field(description="按明细状态（pending/paid/failed）统计")


class ReconcileOut(Schema):
    batch: IdStr
    number: str = Field(description="批次号")
    paid: int = Field(description="发放成功笔数")
    failed: int = Field(description="发放失败笔数（结转补发）")
    failed_amount: str = Field(description="失败金额（元）")
    changed: bool = Field(description="false：该批次已按同一结果对账，未作更改")
