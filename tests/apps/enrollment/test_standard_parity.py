"""Parity: the preview's columnar amounts (database snapshot → Arrow → DuckDB) equal the single-case
engine's, evaluated household by household from the registry with the ORM, on 10 000 random
households under the county policy with the new standard laid over it (and, on a sample, under the
old standard the day before). Runs in the normal suite (about 10–20 s)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.standard import policy_with_change, standard_propose
from jiuzhu.apps.enrollment.standard_preview import standard_preview
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.apps.synthetic.seed import seed_households
from jiuzhu.batch.standard import tekun_amounts

from .standard_helpers import COUNTY, OLD_DAY, START, requests_from_db, single_case

N = 10_000
pytestmark = pytest.mark.slow


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


def _enroll_all(rng: random.Random, levels: dict) -> tuple[list[Enrollment], dict]:
    """A household enrollment for every household, single-person enrollments for 600 members (mostly
    disabled or ill ones, who may qualify) and tekun enrollments for 300 persons at an old level."""
    households = list(Household.objects.values_list("id", "region_id", "member_count", "area_type"))
    rows = [Enrollment(program="dibao", household_id=h, region_id=r, klass="C", amount=Decimal("1.00"), persons=n,
                       start_month=START.replace(month=1), decided_on=OLD_DAY) for h, r, n, _ in households]
    area = {h: a for h, _, _, a in households}
    region = {h: r for h, r, _, _ in households}
    members = list(Membership.objects.filter(end_date__isnull=True).values_list("person_id", "household_id"))
    special = set(Person.objects.exclude(disability_kind="none").values_list("id", flat=True))
    special |= set(Person.objects.filter(health="serious").values_list("id", flat=True))
    likely = [m for m in members if m[0] in special]
    singles = rng.sample(likely, min(450, len(likely))) + rng.sample(members, 150)
    singles = list(dict(singles).items())
    rows += [Enrollment(program="dibao", household_id=h, person_id=p, region_id=region[h], klass="", persons=1,
                        amount=Decimal("1.00"), start_month=START.replace(month=1), decided_on=OLD_DAY)
             for p, h in singles]
    tekun_level = {}
    for p, h in rng.sample(members, 300):
        level = rng.choice(("self_care", "partial", "full"))
        tekun_level[p] = level
        rows.append(Enrollment(program="tekun", household_id=h, person_id=p, region_id=region[h], klass="", persons=1,
                               amount=Decimal(levels[(area[h], level)]) / 100, start_month=START.replace(month=1),
                               decided_on=OLD_DAY))
    return Enrollment.objects.bulk_create(rows, batch_size=5000), tekun_level


def test_columnar_preview_equals_single_case_on_10000_households(county_user):
    # given 10 000 random households of the demo county, all enrolled, and a new rural standard
    seed_households(N, region_code=COUNTY, seed=20260701, progress=False, as_of=START)
    change = standard_propose(actor=county_user, region_code=COUNTY, area_type="rural", amount="1350",
                              start_date=START, source="测试文件 第一条")
    before, after = policy_with_change(change)
    rng = random.Random(7)
    enrollments, tekun_level = _enroll_all(rng, tekun_amounts(before, OLD_DAY))
    # when the preview runs
    preview = standard_preview(actor=county_user, change_id=change.pk)
    rows = {r["enrollment_id"]: r for r in preview.rows.to_pylist()}
    assert len(rows) == len(enrollments)
    # then every amount equals the single-case engine's
    new_requests = requests_from_db(as_of=START)
    old_sample = set(rng.sample(sorted(new_requests), 1000))
    old_requests = requests_from_db(old_sample, as_of=OLD_DAY)
    # a household without co-resident members has nothing to evaluate (the preview sends it to review)
    none = {"status": "none", "single_person_enrollments": []}
    new_out = {h: single_case(r, after) if r["members"] else none for h, r in new_requests.items()}
    old_out = {h: single_case(r, before) if r["members"] else none for h, r in old_requests.items()}
    mismatches, dibao, singles_enrolled = [], 0, 0
    for e in enrollments:
        row = rows[e.pk]
        if e.program == "tekun":
            adl = {"self_care": 0, "partial": 2, "full": 5}[tekun_level[e.person_id]]
            request = {"program": "tekun", "as_of": START.isoformat(), "area_type": new_requests[e.household_id]["area_type"],
                       "members": [{"id": "t", "birth_date": "1940-01-01", "adl_failed": adl}],
                       "assets": {"financial": "0"}, "obligors_able": False}
            out = single_case(request, after)
            expected, got = (out["status"], fen(out["monthly_amount"])), ("tekun", row["rule_fen"])
        elif e.person_id:
            out = new_out[e.household_id]
            amounts = {int(s["member"]): fen(s["monthly_amount"]) for s in out["single_person_enrollments"]}
            expected, got = amounts.get(e.person_id), row["rule_fen"]
            singles_enrolled += expected is not None
        else:
            out = new_out[e.household_id]
            expected = (fen(out["monthly_amount"]), out["class"]) if out["status"] == "dibao" else (None, None)
            got = (row["rule_fen"], row["rule_class"] if row["rule_fen"] is not None else None)
            dibao += out["status"] == "dibao"
            if e.household_id in old_out:
                old = old_out[e.household_id]
                old_expected = fen(old["monthly_amount"]) if old["status"] == "dibao" else None
                if old_expected != row["old_rule_fen"]:
                    mismatches.append(f"household {e.household_id} old standard: {old_expected} != {row['old_rule_fen']}")
        if expected != got:
            mismatches.append(f"enrollment {e.pk} ({e.program}, person {e.person_id}): single-case {expected} != "
                              f"columnar {got}")
    assert not mismatches, f"{len(mismatches)} differ; first:\n" + "\n".join(mismatches[:5])
    # and the population exercised every path
    assert dibao > 500 and singles_enrolled > 20, (dibao, singles_enrolled)
    assert preview.summary["counts"]["total"] == len(enrollments)
