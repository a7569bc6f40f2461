"""Declared income (per member, by kind, monthly as R-INC-02 reads it) and declared household assets
(R-AST-05): the figures the rules engine evaluates until 核对 replaces them. Reads and the three
state changes (set an income item, clear it, change the assets), each scoped, validated and audited."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, cast

from django.db import transaction
from django.db.models import F
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.core.validation import validate
from jiuzhu.rules.declared import ASSET_KINDS, ASSET_LABELS, INCOME_KINDS, INCOME_LABELS
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .models import Household, Membership, Person

CENT = Decimal("0.01")
# rules kind → Person column (the rules call it "property", the column "property_income")
INCOME_FIELDS = {"wage": "wage", "business": "business", "property": "property_income", "transfer": "transfer"}
PERIODS = {"month": "每月", "year": "每年"}
IncomeKind = Literal["wage", "business", "property", "transfer"]
AssetKind = Literal["financial", "vehicle_count", "max_vehicle_value", "residential_properties", "business_capital"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IncomeItemInput(_Input):
    """One declared income item of a member. An annual amount is stored as its monthly twelfth."""

    kind: IncomeKind = Field(title="收入类别")
    amount: Decimal = Field(title="金额(元)", max_digits=14, decimal_places=2, gt=-10**12, lt=10**12)
    period: Literal["month", "year"] = Field("month", title="周期")

    @model_validator(mode="after")
    def _sign(self):
        # A business may run at a loss (R-INC-02 counts max(0, business)); every other kind is ≥ 0.
        if self.amount < 0 and self.kind != "business":
            raise ValueError(f"amount|金额(元)：{INCOME_LABELS[self.kind]}不能为负数")
        return self

    @property
    def monthly(self) -> Decimal:
        value = self.amount if self.period == "month" else self.amount / 12
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


class AssetsInput(_Input):
    """The household's declared assets; every field optional (a missing one keeps its value)."""

    financial: Decimal | None = Field(None, title="金融资产(元)", ge=0, max_digits=14, decimal_places=2)
    vehicle_count: int | None = Field(None, title="机动车数(汽车)", ge=0, le=99)
    max_vehicle_value: Decimal | None = Field(None, title="最高车辆价值(元)", ge=0, max_digits=14, decimal_places=2)
    residential_properties: int | None = Field(None, title="住房套数", ge=0, le=99)
    business_capital: Decimal | None = Field(None, title="市场主体注册资本(元)", ge=0, max_digits=14, decimal_places=2)


ASSET_INPUT_LABELS = {k: AssetsInput.model_fields[k].title or k for k in ASSET_KINDS}
ASSET_FIELDS = {"financial": "financial_assets", "vehicle_count": "vehicle_count",
                "max_vehicle_value": "max_vehicle_value", "residential_properties": "residential_properties",
                "business_capital": "business_capital"}


def declared_income_of(person: Person) -> dict[str, Decimal]:
    """A member's declared monthly income by rules kind (R-INC-02)."""
    return {k: Decimal(getattr(person, f)) for k, f in INCOME_FIELDS.items()}


def declared_assets_of(hh: Household) -> dict[str, Decimal]:
    """The household's declared assets by ``rules.declared.ASSET_KINDS``."""
    return {k: Decimal(getattr(hh, f)) for k, f in ASSET_FIELDS.items()}


def income_rows(person: Person) -> list[dict]:
    """The member's declared items for a page: kind, label, monthly amount (zero items left out)."""
    return [{"kind": k, "label": INCOME_LABELS[k], "monthly": v, "annual": (v * 12).quantize(CENT)}
            for k, v in declared_income_of(person).items() if v]


def asset_rows(hh: Household) -> list[dict]:
    return [{"kind": k, "label": ASSET_LABELS[k], "value": v} for k, v in declared_assets_of(hh).items() if v]


def _require_writer(actor):
    if not can(actor, "registry.write"):
        raise Forbidden("forbidden", "您的角色无权登记或修改家庭信息")


def _membership(actor, household_id: int, person_id: int) -> Membership:
    ms = (Membership.objects.select_related("household", "person").select_for_update()
          .filter(person_id=person_id, household_id=household_id, end_date__isnull=True).first())
    if ms is None or not in_scope(actor, ms.household.region_id):
        raise NotFound("not_found", "该成员不存在或不在您的管辖范围内")
    return ms


def _audit_income(actor, ms: Membership, before: dict, *, cleared: bool):
    after = {k: str(v) for k, v in declared_income_of(ms.person).items()}
    audit_record(actor=actor, action="household.declared_income_clear" if cleared else "household.declared_income_set",
                 subject_type="household", subject_id=ms.household_id,
                 region_code=ms.household.region_id, before={"person": ms.person_id, **before},
                 after={"person": ms.person_id, **after})


def declared_income_set(*, actor, household_id: int, person_id: int, data: dict) -> Person:
    """Add or change one declared income item of a member (monthly, or annual ÷ 12)."""
    _require_writer(actor)
    item = cast(IncomeItemInput, validate(IncomeItemInput, data, code="declared.invalid"))
    with transaction.atomic():
        ms = _membership(actor, household_id, person_id)
        before = {k: str(v) for k, v in declared_income_of(ms.person).items()}
        setattr(ms.person, INCOME_FIELDS[item.kind], item.monthly)
        ms.person.save(update_fields=[INCOME_FIELDS[item.kind], "updated_at"])
        _audit_income(actor, ms, before, cleared=False)
    return ms.person


def declared_income_clear(*, actor, household_id: int, person_id: int, kind: str) -> Person:
    """Delete one declared income item of a member (the kind counts 0 from now on)."""
    _require_writer(actor)
    if kind not in INCOME_KINDS:
        raise ValidationFailed("declared.invalid", f"收入类别：取值无效，可选：{'、'.join(INCOME_KINDS)}", field="kind")
    with transaction.atomic():
        ms = _membership(actor, household_id, person_id)
        before = {k: str(v) for k, v in declared_income_of(ms.person).items()}
        setattr(ms.person, INCOME_FIELDS[kind], Decimal("0"))
        ms.person.save(update_fields=[INCOME_FIELDS[kind], "updated_at"])
        _audit_income(actor, ms, before, cleared=True)
    return ms.person


def declared_assets_update(*, actor, household_id: int, data: dict, version: int | None = None) -> Household:
    """Change the household's declared assets (a field sent as 0 deletes that item)."""
    _require_writer(actor)
    assets = cast(AssetsInput, validate(AssetsInput, data, code="declared.invalid"))
    with transaction.atomic():
        hh = Household.objects.select_for_update().filter(pk=household_id).first()
        if hh is None or not in_scope(actor, hh.region_id):
            raise NotFound("not_found", "家庭不存在或不在您的管辖范围内")
        if version is not None and hh.version != version:
            raise Conflict("household.changed", "该家庭信息已被他人修改，请刷新后重试", field="version")
        before = {k: str(v) for k, v in declared_assets_of(hh).items()}
        for kind in ASSET_KINDS:
            value = getattr(assets, kind)
            if value is not None:
                setattr(hh, ASSET_FIELDS[kind], value)
        if hh.vehicle_count == 0 and hh.max_vehicle_value:
            raise ValidationFailed("declared.invalid", "最高车辆价值(元)：没有机动车时应为 0", field="max_vehicle_value")
        hh.version = F("version") + 1
        hh.save()
        hh.refresh_from_db()
        audit_record(actor=actor, action="household.declared_assets", subject_type="household", subject_id=hh.pk,
                     region_code=hh.region_id, before=before,
                     after={k: str(v) for k, v in declared_assets_of(hh).items()})
    return hh
