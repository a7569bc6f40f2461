"""Registry state changes. Each one checks role and region scope, writes, and audits in one transaction."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import ensure_in_scope, in_scope
from jiuzhu.core.validation import refuse
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from . import events, minimal, pii
from .choices import MoveReason, Relation
from .inputs import HouseholdInput, MemberInput, clean_household, clean_member
from .models import Household, Membership, Obligor, Person


def _require_writer(actor):
    if not can(actor, "registry.write"):
        raise Forbidden("forbidden", "您的角色无权登记或修改家庭信息")


def _check_regions(actor, inp: HouseholdInput):
    found = []
    region = Region.objects.filter(code=inp.region_code).first()
    if region is None or not in_scope(actor, inp.region_code):
        found.append(("region_code", "out_of_scope", "户籍所在村(居)不存在或不在您的管辖范围内"))
    elif region.level != 5:
        found.append(("region_code", "not_village", "户籍所在地应选择到村(居)一级"))
    if not Region.objects.filter(code=inp.residence_region_code).exists():
        found.append(("residence_region_code", "unknown", f"居住地区划代码 {inp.residence_region_code} 不存在"))
    refuse(found)


def _existing_memberships(id_numbers: list[str]) -> dict[str, Membership]:
    index = {pii.id_number_index(n): n for n in id_numbers}
    found = (Membership.objects.select_related("household", "person")
             .filter(end_date__isnull=True, person__id_number_bidx__in=list(index)))
    return {index[m.person.id_number_bidx]: m for m in found}


def _conflict_other_household(actor, path: str, member: MemberInput, m: Membership):
    hh = m.household
    if not in_scope(actor, hh.region_id):
        # Another region's household: say only that the number is registered elsewhere, nothing about it.
        raise Conflict(
            "person.in_other_household",
            f"{member.name}的身份证号已在其他地区登记为另一家庭的成员；请联系该地民政部门办理迁出后再登记",
            field=f"{path}.id_number",
        )
    raise Conflict(
        "person.in_other_household",
        f"{member.name}（身份证号 {m.person.id_number_masked}）"
        f"已是另一家庭 {hh.number}（户主 {pii.mask_name(hh.head_name)}）的成员；请先办理迁出再登记",
        field=f"{path}.id_number", household=hh.number,
    )


def _person_for(member: MemberInput) -> Person:
    """The registry person with this ID number (updated), or a new one."""
    bidx = pii.id_number_index(member.id_number)
    person = Person.objects.filter(id_number_bidx=bidx).first()
    enc, _, masked = pii.seal(member.id_number, purpose="id_number")
    phone_enc, _, phone_masked = pii.seal(member.phone, purpose="phone") if member.phone else ("", "", "")
    values = dict(name=member.name, birth_date=member.birth_date, sex=member.sex,
                  disability_kind=member.disability_kind, disability_grade=member.disability_grade,
                  health=member.health, employment=member.employment)
    if person is None:
        person = Person(id_number_enc=enc, id_number_bidx=bidx, id_number_masked=masked,
                        phone_enc=phone_enc, phone_masked=phone_masked, **values)
    else:
        for k, v in values.items():
            setattr(person, k, v)
        if member.phone:
            person.phone_enc, person.phone_masked = phone_enc, phone_masked
    person.save()
    return person


def household_create(*, actor, data: dict, as_of: date) -> Household:
    """Register a household with its members and obligors (R-HH-02, R-HH-10)."""
    _require_writer(actor)
    inp = clean_household(data, as_of=as_of)
    _check_regions(actor, inp)
    taken = _existing_memberships([m.id_number for m in inp.members])
    merged = minimal.minimal_memberships(taken)  # 临时登记 records are merged into this household
    for i, member in enumerate(inp.members):
        if member.id_number in taken and member.id_number not in merged:
            _conflict_other_household(actor, f"members[{i}]", member, taken[member.id_number])
    head = next(m for m in inp.members if m.relation == Relation.HEAD)
    bank_enc, _, bank_masked = pii.seal(inp.bank_account, purpose="bank_account") if inp.bank_account else ("", "", "")
    try:
        with transaction.atomic():
            hh = Household.objects.create(
                region_id=inp.region_code, residence_region_id=inp.residence_region_code, area_type=inp.area_type,
                address=inp.address, head_name=head.name, member_count=len(inp.members),
                bank_account_enc=bank_enc, bank_account_masked=bank_masked, bank_name=inp.bank_name)
            minimal.merge_minimal(actor=actor, memberships=merged.values(), into=hh, as_of=as_of)
            persons = {}
            for member in inp.members:
                person = _person_for(member)
                person.hukou_region_id = inp.region_code
                person.save(update_fields=["hukou_region"])
                persons[member.id_number] = person
                Membership.objects.create(household=hh, person=person, relation=member.relation,
                                          co_resident=member.co_resident, start_date=as_of)
            hh.head = persons[head.id_number]
            hh.save(update_fields=["head"])
            for ob in inp.obligors:
                _obligor_create(hh, persons[ob.supported_id_number], ob)
            audit_record(actor=actor, action="household.create", subject_type="household", subject_id=hh.pk,
                         region_code=hh.region_id, after=_snapshot(hh))
    except IntegrityError:
        # A concurrent registration took one of the persons between the check and the insert.
        raise Conflict("person.in_other_household", "有成员刚被登记到另一家庭，请刷新后重试", field="members") from None
    return hh


def _obligor_create(hh, supported, ob):
    enc, _, masked = pii.seal(ob.id_number, purpose="id_number") if ob.id_number else ("", "", "")
    Obligor.objects.create(household=hh, supported=supported, name=ob.name, relation=ob.relation,
                           id_number_enc=enc, id_number_masked=masked, monthly_income=ob.monthly_income,
                           household_size=ob.household_size)


def _snapshot(hh: Household) -> dict:
    members = list(hh.memberships.filter(end_date__isnull=True).order_by("id")
                   .values_list("person_id", "relation", "co_resident"))
    return {"region": hh.region_id, "residence": hh.residence_region_id, "area_type": hh.area_type,
            "address": hh.address, "bank": hh.bank_account_enc[:8], "members": members, "version": hh.version}


def _locked_household(actor, household_id: int, version: int | None = None) -> Household:
    hh = Household.objects.select_for_update().filter(pk=household_id).first()
    if hh is None or not in_scope(actor, hh.region_id):
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内")
    if version is not None and hh.version != version:
        raise Conflict("household.changed", "该家庭信息已被他人修改，请刷新后重试", field="version")
    return hh


def household_update(*, actor, household_id: int, data: dict, version: int | None, as_of: date) -> Household:
    """Change household-level fields (area type, residence, address, bank account)."""
    _require_writer(actor)
    with transaction.atomic():
        hh = _locked_household(actor, household_id, version)
        merged = {"region_code": hh.region_id, "residence_region_code": hh.residence_region_id,
                  "area_type": hh.area_type, "address": hh.address, "bank_name": hh.bank_name, **data}
        inp = clean_household(merged, as_of=as_of, require_members=False)
        _check_regions(actor, inp)
        if inp.region_code != hh.region_id:
            raise ValidationFailed("household.region_change", "户籍所在村(居)不能在此修改，请办理迁移", field="region_code")
        before = _snapshot(hh)
        hh.residence_region_id = inp.residence_region_code
        hh.area_type, hh.address, hh.bank_name = inp.area_type, inp.address, inp.bank_name
        if inp.bank_account:
            hh.bank_account_enc, _, hh.bank_account_masked = pii.seal(inp.bank_account, purpose="bank_account")
        hh.version = F("version") + 1
        hh.save()
        hh.refresh_from_db()
        audit_record(actor=actor, action="household.update", subject_type="household", subject_id=hh.pk,
                     region_code=hh.region_id, before=before, after=_snapshot(hh))
    return hh


def member_add(*, actor, household_id: int, data: dict, as_of: date) -> Membership:
    _require_writer(actor)
    member = clean_member(data, as_of=as_of)
    if member.relation == Relation.HEAD:
        raise ValidationFailed("member.head", "本户已有户主；如需更换户主请先调整原户主的关系", field="member.relation")
    with transaction.atomic():
        hh = _locked_household(actor, household_id)
        taken = _existing_memberships([member.id_number])
        merged = minimal.minimal_memberships(taken)  # a 临时登记 record is merged into this household
        if member.id_number in taken and member.id_number not in merged:
            _conflict_other_household(actor, "member", member, taken[member.id_number])
        before = _snapshot(hh)
        minimal.merge_minimal(actor=actor, memberships=merged.values(), into=hh, as_of=as_of)
        person = _person_for(member)
        person.hukou_region_id = hh.region_id
        person.save(update_fields=["hukou_region"])
        ms = Membership.objects.create(household=hh, person=person, relation=member.relation,
                                       co_resident=member.co_resident, start_date=as_of)
        _recount(hh)
        audit_record(actor=actor, action="household.member_add", subject_type="household", subject_id=hh.pk,
                     region_code=hh.region_id, before=before, after=_snapshot(hh))
    return ms


def _recount(hh: Household):
    hh.member_count = hh.memberships.filter(end_date__isnull=True).count()
    hh.version = F("version") + 1
    hh.save(update_fields=["member_count", "version", "updated_at"])
    hh.refresh_from_db(fields=["member_count", "version"])


def _open_membership(actor, person_id: int) -> Membership:
    ms = (Membership.objects.select_related("household").select_for_update()
          .filter(person_id=person_id, end_date__isnull=True).first())
    if ms is None or not in_scope(actor, ms.household.region_id):
        raise NotFound("not_found", "该成员不存在或不在您的管辖范围内")
    return ms


def member_end(*, actor, person_id: int, reason: str, as_of: date, note: str = "") -> Membership:
    """A member leaves the household (death, moving out…); history is kept."""
    _require_writer(actor)
    if reason not in MoveReason.values:
        raise ValidationFailed("member.reason", "请选择离开原因", field="reason")
    with transaction.atomic():
        ms = _open_membership(actor, person_id)
        if ms.relation == Relation.HEAD and ms.household.memberships.filter(end_date__isnull=True).count() > 1:
            raise ValidationFailed("member.head_leaving", "户主离开前请先指定新户主", field="person")
        before = _snapshot(ms.household)
        ms.end_date, ms.end_reason, ms.note = as_of, reason, note[:200]
        ms.save(update_fields=["end_date", "end_reason", "note"])
        _recount(ms.household)
        audit_record(actor=actor, action="household.member_end", subject_type="household", subject_id=ms.household_id,
                     region_code=ms.household.region_id, before=before, after=_snapshot(ms.household),
                     reason=f"{MoveReason(reason).label} {note}".strip())
        if reason == MoveReason.DEATH:  # R-DM-05: the household is rechecked within 3 months
            events.death_reported(actor=actor, person_id=ms.person_id, household_id=ms.household_id,
                                  person_name=ms.person.name, died_on=as_of, now=timezone.now())
    return ms


def member_move(*, actor, person_id: int, to_household_id: int, relation: str, as_of: date,
                reason: str = MoveReason.MOVED, note: str = "") -> Membership:
    """Move a member to another household: close the old membership, open a new one (history kept)."""
    _require_writer(actor)
    if relation not in Relation.values or relation == Relation.HEAD:
        raise ValidationFailed("member.relation", "请选择与新户户主的关系（不能为户主）", field="relation")
    with transaction.atomic():
        target = _locked_household(actor, to_household_id)
        old = _open_membership(actor, person_id)
        if old.household_id == target.pk:
            raise ValidationFailed("member.same_household", "该成员已在本户", field="to_household")
        member_end(actor=actor, person_id=person_id, reason=reason, as_of=as_of, note=note or f"迁入 {target.number}")
        before = _snapshot(target)
        ms = Membership.objects.create(household=target, person_id=person_id, relation=relation, start_date=as_of,
                                       note=f"由 {old.household.number} 迁入")
        _recount(target)
        audit_record(actor=actor, action="household.member_move", subject_type="household", subject_id=target.pk,
                     region_code=target.region_id, before=before, after=_snapshot(target),
                     details={"from": old.household.number})
    return ms


def person_reveal(*, actor, person_id: int, field: str = "id_number") -> str:
    """The full ID number or phone of a person; only for roles that need it, and always audited."""
    if field not in ("id_number", "phone"):
        raise ValidationFailed("reveal.field", "只能查看身份证号或联系电话", field="field")
    person = Person.objects.filter(pk=person_id).first()
    # The open membership first (NULL end_date), then the latest closed one, on every database.
    ms = person and (person.memberships.select_related("household")
                     .order_by(F("end_date").desc(nulls_first=True), "-id").first())
    if person is None or ms is None or not in_scope(actor, ms.household.region_id):
        raise NotFound("not_found", "人员不存在或不在您的管辖范围内")
    if not can(actor, "pii.view_full"):
        raise Forbidden("forbidden", "您的角色无权查看完整个人信息")
    value = pii.open_(person.id_number_enc if field == "id_number" else person.phone_enc, purpose=field)
    audit_record(actor=actor, action=f"pii.view_{field}", subject_type="person", subject_id=person.pk,
                 region_code=ms.household.region_id)
    return value


def household_reveal_bank(*, actor, household_id: int) -> str:
    hh = Household.objects.filter(pk=household_id).first()
    if hh is None:
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内")
    ensure_in_scope(actor, hh.region_id, what="家庭")
    if not can(actor, "pii.view_full"):
        raise Forbidden("forbidden", "您的角色无权查看完整个人信息")
    audit_record(actor=actor, action="pii.view_bank_account", subject_type="household", subject_id=hh.pk,
                 region_code=hh.region_id)
    return pii.open_(hh.bank_account_enc, purpose="bank_account")
