"""A minimal person record for emergency help (issue 14 §1, R-TA-04): a person without a registered household
is recorded with a one-person household marked ``minimal`` (临时登记) in the village where the emergency
happened. Such households are left out of household lists and registry statistics (selectors, exports,
policy simulation) until merged into a real household.

The ID number is required: it is the blind index that finds the person again (a second emergency, a later
registration) and the 核对 key. A person who cannot give one is helped through the county 救助管理机构
(R-TA-04, S10), not recorded here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import F
from pydantic import Field, ValidationInfo, field_validator

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.core.validation import problem, validate
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import pii
from .choices import AreaType, MoveReason, Relation
from .inputs import _PHONE, AtMost, Matching, OneOf, PersonName, _id_number, _Input, _text
from .models import Household, Membership, Person

VILLAGE_LEVEL = 5
REGISTERED, REUSED, CREATED = "registered", "reused", "created"
OUTCOME_LABELS = {
    REGISTERED: "该身份证号已登记在家庭中，案件登记在该家庭",
    REUSED: "该人员已有临时登记记录，沿用该记录",
    CREATED: "已为该人员建立临时登记记录",
}


class MinimalPersonInput(_Input):
    """The ``person`` block of an emergency intake without a household."""

    name: PersonName = Field("", title="姓名")
    id_number: str = Field("", title="身份证号")
    phone: Matching(_PHONE, "联系电话应为11位手机号或带区号的固定电话") = Field("", title="联系电话")  # type: ignore[valid-type]
    address: AtMost(200, "现住址最多200字") = Field("", title="现住址")  # type: ignore[valid-type]
    area_type: OneOf(AreaType, "城乡类别") = Field("", title="城乡类别")  # type: ignore[valid-type]

    @field_validator("id_number", mode="before")
    @classmethod
    def _id(cls, value, info: ValidationInfo):
        value = _text(value)
        if not value:
            raise problem("required", "身份证号不能为空（无身份证号的人员请转县救助管理机构）")
        return _id_number(value, info)


@dataclass(frozen=True)
class MinimalResult:
    household: Household
    person: Person
    outcome: str  # registered | reused | created

    @property
    def message(self) -> str:
        return OUTCOME_LABELS[self.outcome]


def clean_person(data, *, as_of: date, prefix: str = "person") -> MinimalPersonInput:
    return cast(MinimalPersonInput, validate(MinimalPersonInput, data, today=as_of, codes=True, prefix=(prefix,)))


def check_place(actor, place_code: str) -> Region:
    """The village where the emergency happened, in the actor's scope (R-TA-04)."""
    place = Region.objects.filter(pk=str(place_code or "")[:12]).first()
    if place is None or place.level != VILLAGE_LEVEL:
        raise ValidationFailed("ta.place_region", "急难发生地须为村(社区)区划代码", field="place_region")
    if not in_scope(actor, place.pk):
        raise NotFound("ta.place_out_of_scope", "急难发生地不在您的管辖范围内", field="place_region")
    return place


# What a 临时登记 record cannot do, and why (the household page shows these instead of the buttons; the
# services refuse them with the same words).
NOT_FOR_MINIMAL = {
    "application": "临时登记的人员没有登记家庭，不能直接申请低保或特困供养：须先按户籍登记其家庭（共同生活成员、"
                   "收入和财产），登记后本记录自动并入该家庭，再从该家庭发起申请",
    "expenditure": "支出型临时救助须核对家庭收入和财产（R-TA-02），临时登记的人员只能登记急难型临时救助；"
                   "如需支出型救助，请先登记其家庭",
}


def refuse_minimal(household, what: str, field: str) -> None:
    """Conflict ``case.minimal_household`` naming why a 临时登记 household cannot do ``what``."""
    if household is not None and household.minimal:
        raise Conflict("case.minimal_household", NOT_FOR_MINIMAL[what], field=field)


def minimal_household_for(*, actor, person: MinimalPersonInput, place: Region, as_of: date) -> MinimalResult:
    """The household an emergency of ``person`` is recorded on: the registered household the ID number belongs
    to, else the person's minimal household (reused), else a new one-person minimal household in ``place``.
    Audited ``household.minimal_create`` when created. Call inside the caller's transaction."""
    if not can(actor, "temporary.record"):
        raise Forbidden("forbidden", "您的角色不能登记临时救助")
    bidx = pii.id_number_index(person.id_number)
    current = (Membership.objects.select_related("household", "person")
               .filter(end_date__isnull=True, person__id_number_bidx=bidx).first())
    if current is not None:
        hh = current.household
        if person.phone and not current.person.phone_enc:
            current.person.phone_enc, _, current.person.phone_masked = pii.seal(person.phone, purpose="phone")
            current.person.save(update_fields=["phone_enc", "phone_masked", "updated_at"])
        return MinimalResult(hh, current.person, REUSED if hh.minimal else REGISTERED)
    try:
        with transaction.atomic():
            found = Person.objects.filter(id_number_bidx=bidx).first()
            if found is None:
                enc, _, masked = pii.seal(person.id_number, purpose="id_number")
                parsed = idcard.parse(person.id_number)
                found = Person(name=person.name, id_number_enc=enc, id_number_bidx=bidx, id_number_masked=masked,
                               birth_date=parsed.birth_date, sex=parsed.sex)
            if person.phone:
                found.phone_enc, _, found.phone_masked = pii.seal(person.phone, purpose="phone")
            found.save()
            hh = Household.objects.create(
                region=place, residence_region=place, area_type=person.area_type, address=person.address,
                head=found, head_name=found.name, member_count=1, minimal=True)
            Membership.objects.create(household=hh, person=found, relation=Relation.HEAD, start_date=as_of,
                                      note="急难救助临时登记")
            audit_record(actor=actor, action="household.minimal_create", subject_type="household", subject_id=hh.pk,
                         region_code=hh.region_id,
                         after={"region": hh.region_id, "person": found.pk, "area_type": hh.area_type,
                                "minimal": True})
    except IntegrityError:  # the same ID number recorded at the same moment by someone else
        raise Conflict("person.concurrent", "该身份证号刚被他人登记，请刷新后重试", field="person.id_number") from None
    return MinimalResult(hh, found, CREATED)



def minimal_memberships(taken: dict[str, Membership]) -> dict[str, Membership]:
    """The open memberships of ``taken`` (ID number → membership) that are minimal records."""
    return {number: m for number, m in taken.items() if m.household.minimal}


def merge_minimal(*, actor, memberships, into: Household, as_of: date) -> None:
    """Persons registered now in ``into`` leave their minimal record (并入正式登记家庭): the membership is closed
    (history kept; the cases stay on the record), audited ``household.minimal_merge``. Inside the caller's
    transaction, before the person's new membership is opened."""
    for m in memberships:
        hh = m.household
        Membership.objects.filter(pk=m.pk, end_date__isnull=True).update(
            end_date=as_of, end_reason=MoveReason.MOVED, note=f"并入 {into.number}")
        Household.objects.filter(pk=hh.pk).update(member_count=0, version=F("version") + 1)
        audit_record(actor=actor, action="household.minimal_merge", subject_type="household", subject_id=hh.pk,
                     region_code=hh.region_id, details={"into": into.number, "person": m.person_id})
