"""Frozen input facts and results of an evaluation (spec/reference-policy.md §6–7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")

PROGRAMS = ("dibao", "tekun", "temporary", "rigid_expenditure", "graduation")  # the last two: extensions
AREA_TYPES = ("urban", "rural")
DISABILITY_KINDS = ("physical", "intellectual", "mental", "visual", "hearing", "speech", "multiple")
VEHICLE_KINDS = ("car", "truck", "motorcycle", "disability_vehicle")
TEMPORARY_TYPES = ("emergency", "expenditure")
INCOME_FIELDS = ("wage", "business", "property", "transfer", "assistance", "awards")
DEDUCTION_FIELDS = ("social_insurance", "income_tax", "medical_extra")


@dataclass(frozen=True)
class Disability:
    kind: str
    grade: int


@dataclass(frozen=True)
class Income:
    wage: Decimal = ZERO
    business: Decimal = ZERO  # may be negative (a net loss counts as 0)
    property: Decimal = ZERO
    transfer: Decimal = ZERO
    assistance: Decimal = ZERO  # never counted (R-INC-03)
    awards: Decimal = ZERO  # never counted (R-INC-03)


@dataclass(frozen=True)
class Deductions:
    social_insurance: Decimal = ZERO
    income_tax: Decimal = ZERO
    medical_extra: Decimal = ZERO


@dataclass(frozen=True)
class Member:
    id: str
    birth_date: date
    disability: Disability | None = None
    serious_illness: bool = False
    adl_failed: int = 0
    income: Income = field(default_factory=Income)
    deductions: Deductions = field(default_factory=Deductions)


@dataclass(frozen=True)
class Vehicle:
    kind: str
    value: Decimal


@dataclass(frozen=True)
class Assets:
    financial: Decimal = ZERO
    vehicles: tuple[Vehicle, ...] = ()
    residential_properties: int = 0
    business_registered_capital: Decimal = ZERO


@dataclass(frozen=True)
class Temporary:
    type: str
    need: Decimal


@dataclass(frozen=True)
class RigidRequest:
    """Program ``rigid_expenditure``: the household's current program and its rigid expenditure of the
    12 months before ``as_of`` per R-LI-04 item (yuan)."""

    current_status: str = "none"  # none, dibao, tekun, edge
    expenditure: dict = field(default_factory=dict)  # item -> Decimal


@dataclass(frozen=True)
class GraduationRequest:
    """Program ``graduation``: the 渐退 reason code and the monthly benefit being paid now."""

    reason: str
    current_amount: Decimal


@dataclass(frozen=True)
class Obligor:
    """A legal support obligor not living with the household (不共同居住的法定赡养、抚养、扶养义务人,
    R-HH-10): the monthly income and financial assets of the obligor's own household (核对 or declared)."""

    id: str
    monthly_income: Decimal
    household_size: int = 1
    financial: Decimal = ZERO


@dataclass(frozen=True)
class HouseholdFacts:
    program: str
    as_of: date
    area_type: str
    members: tuple[Member, ...]
    assets: Assets = field(default_factory=Assets)
    obligors_able: bool = False
    temporary: Temporary | None = None
    rigid: RigidRequest | None = None
    graduation: GraduationRequest | None = None
    obligors: tuple[Obligor, ...] = ()  # extension to §6: non-co-resident obligors (年审 plan 三(2)四)

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class TraceStep:
    rule: str
    step: str
    value: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "step": self.step, "value": self.value}


@dataclass(frozen=True)
class SinglePersonEnrollment:
    member: str
    monthly_amount: Decimal


@dataclass(frozen=True)
class Decision:
    """A program's outcome; fields not relevant to the status stay None / empty."""

    status: str
    eligible: bool
    reasons: tuple[str, ...] = ()
    monthly_amount: Decimal = ZERO
    dibao_class: str | None = None
    recheck_months: int | None = None
    single_person_enrollments: tuple[SinglePersonEnrollment, ...] = ()
    care_level: str | None = None
    approval_level: str | None = None
    details: dict | None = None  # extension programs only: their own output block


@dataclass(frozen=True)
class Result:
    facts: HouseholdFacts
    policy: str
    standard: Decimal
    per_capita_income: Decimal
    decision: Decision
    trace: tuple[TraceStep, ...]
