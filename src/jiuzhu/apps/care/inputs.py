"""What each care service accepts (pydantic; errors in Chinese through core.validation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jiuzhu.rules.care import (
    ADLS,
    ASSESSORS,
    CAPACITY,
    CAPACITY_BASIS,
    CAPACITY_CAUSES,
    CONSENT_BY,
    FINDING_LEVELS,
    FINDINGS,
    GUARDIAN_CLASSES,
    GUARDIAN_KINDS,
    INSTITUTION_KINDS,
    LIVING,
    PLACEMENTS,
    RELATIVES,
)
from jiuzhu.rules.monitoring import DEPARTMENTS


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CapacityInput(_Input):
    capacity: Literal[tuple(CAPACITY)] = Field(title="民事行为能力")  # type: ignore[valid-type]
    capacity_basis: Literal[tuple(CAPACITY_BASIS) + ("",)] = Field("", title="认定依据")  # type: ignore[valid-type]
    capacity_detail: str = Field("", title="依据文书", max_length=200)
    capacity_on: dt.date = Field(title="认定日期")


class PlacementInput(_Input):
    placement: Literal[tuple(PLACEMENTS)] = Field(title="供养方式")  # type: ignore[valid-type]
    institution_kind: Literal[tuple(INSTITUTION_KINDS) + ("",)] = Field("", title="机构类型")  # type: ignore[valid-type]
    institution: str = Field("", title="供养机构", max_length=100)
    guardian_consent: bool = Field(False, title="监护人同意")
    caregiver: str = Field("", title="委托照料人", max_length=100)
    caregiver_phone: str = Field("", title="照料人电话", max_length=20)
    care_fee: Decimal | None = Field(None, title="照料服务费(元/月)", ge=0, max_digits=10, decimal_places=2)
    caregiver_duties: str = Field("", title="照料职责", max_length=2000)
    since: dt.date = Field(title="起始日期")
    review_on: dt.date | None = Field(None, title="协议复核日期")
    reason: str = Field("", title="转换原因", max_length=200)


class AssessmentInput(_Input):
    assessed_on: dt.date = Field(title="评估日期")
    assessor: Literal[tuple(ASSESSORS)] = Field(title="评估主体")  # type: ignore[valid-type]
    assessor_name: str = Field(title="评估机构", min_length=1, max_length=100)
    adl_failed: list[Literal[tuple(ADLS)]] = Field(default_factory=list, title="不能完成的项目")  # type: ignore[valid-type]


class RelativeInput(_Input):
    relation: Literal[tuple(RELATIVES)] = Field(title="关系")  # type: ignore[valid-type]
    name: str = Field(title="姓名", min_length=1, max_length=50)
    able: bool = Field(True, title="能够担任监护人")


class GuardianInput(_Input):
    guardian_class: Literal[tuple(GUARDIAN_CLASSES)] = Field(title="监护类别")  # type: ignore[valid-type]
    guardian_kind: Literal[tuple(GUARDIAN_KINDS)] = Field(title="监护人身份")  # type: ignore[valid-type]
    guardian_name: str = Field(title="监护人", min_length=1, max_length=100)
    guardian_phone: str = Field("", title="联系电话", max_length=20)
    relatives: list[RelativeInput] = Field(default_factory=list, title="近亲属情况", max_length=30)
    consent_by: Literal[tuple(CONSENT_BY) + ("",)] = Field("", title="同意单位")  # type: ignore[valid-type]
    committee_capable: bool = Field(True, title="村(居)委会具备履职条件")
    duties: str = Field(title="监护职责", min_length=1, max_length=4000)
    start: dt.date = Field(title="开始日期")
    review_on: dt.date = Field(title="复核日期")
    temporary: bool = Field(False, title="临时生活照料")


class GuardianEndInput(_Input):
    ended_on: dt.date = Field(title="终止日期")
    end_reason: str = Field(title="终止原因", min_length=1, max_length=200)


class VisitInput(_Input):
    visited_on: dt.date = Field(title="探访日期")
    visitor_name: str = Field(title="探访人", min_length=1, max_length=100)
    findings: dict[Literal[tuple(FINDINGS)], Literal[tuple(FINDING_LEVELS)]] = Field(  # type: ignore[valid-type]
        title="探访情况")
    notes: str = Field("", title="情况说明", max_length=4000)
    needs: str = Field("", title="需求", max_length=1000)
    need_department: Literal[tuple(DEPARTMENTS) + ("",)] = Field("", title="转办部门")  # type: ignore[valid-type]


class SurveyItemInput(_Input):
    visited_on: dt.date = Field(title="走访日期")
    visitor_name: str = Field(title="走访人", min_length=1, max_length=100)
    capacity: Literal[tuple(CAPACITY)] = Field(title="民事行为能力")  # type: ignore[valid-type]
    capacity_cause: Literal[tuple(CAPACITY_CAUSES) + ("",)] = Field("", title="原因")  # type: ignore[valid-type]
    living: Literal[tuple(LIVING)] = Field(title="居住情况")  # type: ignore[valid-type]
    care_wish: Literal[tuple(PLACEMENTS)] = Field(title="照料护理意愿")  # type: ignore[valid-type]
    institution_kind: Literal[tuple(INSTITUTION_KINDS) + ("",)] = Field("", title="意向机构类型")  # type: ignore[valid-type]
    caregiver: str = Field("", title="现照料人", max_length=100)
    caregiver_phone: str = Field("", title="照料人电话", max_length=20)
    notes: str = Field("", title="备注", max_length=2000)
