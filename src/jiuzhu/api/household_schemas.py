"""Typed request and response documents of the registry API. Personal numbers are only ever masked here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from jiuzhu.apps.registry import selectors
from jiuzhu.apps.registry.choices import (
    AreaType,
    DisabilityKind,
    Employment,
    Health,
    MoveReason,
    ObligorRelation,
    Relation,
    Sex,
)

from .schemas import DB_INT_MAX, IdStr, Text

AreaTypeV = Literal[tuple(AreaType.values)]
RelationV = Literal[tuple(Relation.values)]
ObligorRelationV = Literal[tuple(ObligorRelation.values)]
DisabilityKindV = Literal[tuple(DisabilityKind.values)]
HealthV = Literal[tuple(Health.values)]
EmploymentV = Literal[tuple(["", *Employment.values])]
MoveReasonV = Literal[tuple(["", *MoveReason.values])]
SexV = Literal[tuple(Sex.values)]
RegionCode = Text(12, pattern=r"^[0-9]{12}$")


# ---- input: shapes and bounds only; the registry's own validation explains content errors in Chinese ----

class MemberIn(Schema):
    name: Text(50) = Field(..., description="姓名（汉字、字母、间隔号）", examples=["张建国"])
    id_number: Text(32) = Field(..., description="18位公民身份号码（校验位、出生日期由服务端核验）")
    relation: RelationV = Field(..., description="与户主关系；必须有且只有一名 head")
    co_resident: bool = Field(True, description="是否共同生活")
    phone: Text(20) = Field("", description="手机号或带区号的固定电话")
    disability_kind: DisabilityKindV = "none"
    disability_grade: int = Field(0, ge=0, le=4, description="残疾等级：0 无，1–4 级")
    health: HealthV = "healthy"
    employment: EmploymentV = ""


class ObligorIn(Schema):
    name: Text(50)
    relation: ObligorRelationV
    supported_id_number: Text(32) = Field(..., description="被赡(抚、扶)养的本户成员的身份证号")
    id_number: Text(32) = ""
    monthly_income: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2, description="月收入（元）")
    household_size: int | None = Field(None, ge=1, le=99, description="义务人家庭人数")


class HouseholdIn(Schema):
    region_code: RegionCode = Field(..., description="户籍所在村(居)的12位区划代码（须在本人管辖范围内）")
    residence_region_code: Text(12) = Field("", description="居住地村(居)区划代码；空则同户籍地")
    area_type: AreaTypeV
    address: Text(200) = ""
    bank_account: Text(40) = Field("", description="12–30位数字")
    bank_name: Text(100) = ""
    members: list[MemberIn] = Field(..., max_length=30)
    obligors: list[ObligorIn] = Field([], max_length=30)


class HouseholdQuery(Schema):
    q: Text(50) = Field("", description="成员姓名前缀或完整身份证号")
    village: Text(12, pattern=r"^([0-9]{12})?$") = Field("", description="户籍村(居)区划代码")
    area_type: Literal[tuple(["", *AreaType.values])] = ""
    after: int | None = Field(None, ge=1, le=DB_INT_MAX, description="上一页的 next_after（整数或数字字符串）")
    limit: int = Field(50, ge=1, le=200)


class RevealIn(Schema):
    field: Literal["id_number", "phone"] = "id_number"


# ---- output ----

class HouseholdOut(Schema):
    id: IdStr
    number: str = Field(..., description="家庭编号 H00000001")
    region_code: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    residence_region_code: str = Field(..., alias="residence_region_id")
    area_type: AreaTypeV
    address: str
    head_name: str
    member_count: int
    separated: bool = Field(..., description="人户分离")
    minimal: bool = Field(False, description="临时登记：无登记家庭人员急难救助时建立的一人户，不计入家庭名册")
    version: int
    created_at: datetime


class MemberOut(Schema):
    person_id: IdStr
    name: str = Field(..., alias="person.name")
    id_number_masked: str = Field(..., alias="person.id_number_masked", description="脱敏身份证号")
    phone_masked: str = Field(..., alias="person.phone_masked")
    sex: SexV = Field(..., alias="person.sex")
    birth_date: date = Field(..., alias="person.birth_date")
    relation: RelationV
    co_resident: bool
    disability_kind: DisabilityKindV = Field(..., alias="person.disability_kind")
    disability_grade: int = Field(..., alias="person.disability_grade")
    health: HealthV = Field(..., alias="person.health")
    employment: EmploymentV = Field(..., alias="person.employment")
    start_date: date
    end_date: date | None
    end_reason: MoveReasonV
    note: str


class ObligorOut(Schema):
    id: IdStr
    name: str
    relation: ObligorRelationV
    supported_person_id: IdStr = Field(..., alias="supported_id")
    id_number_masked: str
    monthly_income: Decimal | None
    household_size: int | None


class HouseholdDetail(HouseholdOut):
    bank_account_masked: str
    bank_name: str
    members: list[MemberOut]
    history: list[MemberOut] = Field(..., description="已离开本户的成员（历史）")
    obligors: list[ObligorOut]

    @staticmethod
    def resolve_members(obj):
        return selectors.household_members(household=obj)

    @staticmethod
    def resolve_history(obj):
        return selectors.household_history(household=obj)

    @staticmethod
    def resolve_obligors(obj):
        return selectors.household_obligors(household=obj)


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_after: IdStr | None = Field(..., description="下一页传入 after；没有更多时为 null")


class RevealOut(Schema):
    person_id: IdStr
    field: Literal["id_number", "phone"]
    value: str = Field(..., description="完整值（本次查看已记入审计日志）")
