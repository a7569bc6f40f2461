"""Enrollment API shapes (在保对象): list filters, the enrollment with its terms in force, change and
payment history. Money as two-decimal strings; ID numbers and bank accounts only masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from .schemas import DB_INT_MAX, IdStr, Text

REGION = Field("", title="区划代码", pattern=r"^(\d{12})?$", description="只列该区划（含下级）的在保对象，须在本人管辖范围内")
MONTH = Field(None, title="月份", pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
              description="YYYY-MM：只列该月在保的对象（起始月份不晚于该月、未在该月前停发），并给出该月执行的待遇")


class EnrollmentQuery(Schema):
    region: str = REGION
    program: Literal["", "dibao", "tekun"] = Field("", title="救助项目")
    status: Literal["", "active", "suspended", "stopped", "graduating"] = Field("", title="当前状态")
    month: str | None = MONTH
    name: Text(50) = Field("", title="户主姓名（前缀）")
    limit: int = Field(50, ge=1, le=200, title="每页条数")
    after: int | None = Field(None, ge=1, le=DB_INT_MAX, title="翻页游标", description="上一页返回的 next_after")


class TermsOut(Schema):
    month: date = Field(description="月份（1日）")
    status: str
    amount: str = Field(description="该月执行的月保障金（元）")
    klass: str = Field(description="该月执行的分类")
    payable: bool = Field(description="该月是否应发")


class EnrollmentOut(Schema):
    id: str
    program: str
    program_label: str
    household: str
    head_name: str = Field(description="户主姓名")
    person: str | None = Field(None, description="单人施保的成员编号")
    person_name: str | None = None
    person_id_number: str | None = Field(None, description="单人施保成员身份证号（脱敏）")
    region: str
    region_name: str
    klass: str = Field(description="当前分类（A/B/C/D，特困为空）")
    amount: str = Field(description="当前月保障金（元），即最新决定；某月实际执行的见 month_terms")
    persons: int
    start_month: date
    status: str
    status_label: str
    graduating_until: date | None
    stopped_month: date | None
    next_recheck: date | None
    decided_on: date
    version: int
    bank_name: str
    bank_account: str = Field(description="银行账号（脱敏）")
    month_terms: TermsOut | None = Field(None, description="所查月份（或本月）执行的待遇")


class EnrollmentPage(Schema):
    items: list[EnrollmentOut]
    next_after: IdStr | None = Field(None, description="下一页游标；没有下一页时为 null")


class ChangeOut(Schema):
    id: str
    kind: str
    kind_label: str
    old_amount: str
    new_amount: str
    old_status: str
    new_status: str
    old_class: str
    new_class: str
    effective_month: date = Field(description="生效月份：之前各月仍按原待遇发放")
    reason: str
    legal_ground: str
    source: str
    actor: str
    at: datetime


class PaymentOut(Schema):
    id: str
    month: date
    amount: str
    status: str
    status_label: str
    result_message: str
    batch_number: str
    batch_status: str


class EnrollmentDetail(EnrollmentOut):
    allowed_actions: list[str] = Field(description="本人当前可办理的变更")
    changes: list[ChangeOut] = Field(description="变更记录，最新在前")
    payments: list[PaymentOut] = Field(description="发放记录，最近月份在前")
