"""Hypothesis properties of the dibao, tekun and temporary rules on random households."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.evaluate import evaluate

AS_OF = date(2026, 12, 1)
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.decimals(min_value=0, max_value=6000, places=2, allow_nan=False, allow_infinity=False).map(str)
small = st.one_of(st.just("0"), money)
disability = st.one_of(st.none(), st.fixed_dictionaries({
    "kind": st.sampled_from(["physical", "intellectual", "mental", "visual", "hearing", "speech", "multiple"]),
    "grade": st.integers(1, 4)}))


@st.composite
def members(draw, n_min=1, n_max=5):
    n = draw(st.integers(n_min, n_max))
    out = []
    for i in range(n):
        birth = AS_OF - timedelta(days=draw(st.integers(0, 95 * 365)))
        out.append({
            "id": f"m{i + 1}", "birth_date": birth.isoformat(), "disability": draw(disability),
            "serious_illness": draw(st.booleans()), "adl_failed": draw(st.integers(0, 6)),
            "income": {"wage": draw(small), "business": draw(st.sampled_from(["0", "-500", "300"])),
                       "transfer": draw(small), "property": draw(st.sampled_from(["0", "50"]))},
            "deductions": {"social_insurance": draw(st.sampled_from(["0", "100"]))},
        })
    return out


assets = st.fixed_dictionaries({
    "financial": st.sampled_from(["0", "10000", "24960", "30000", "100000"]),
    "vehicles": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["car", "truck", "motorcycle"]),
                                                "value": st.sampled_from(["1000", "50000", "60000"])}), max_size=2),
    "residential_properties": st.integers(0, 2),
})


def dibao(ms, a=None, area="urban", as_of=AS_OF):
    data = {"program": "dibao", "as_of": as_of.isoformat(), "area_type": area, "members": ms}
    if a is not None:
        data["assets"] = a
    return evaluate(data, "reference")


@FAST
@given(members(), assets, st.sampled_from(["urban", "rural"]))
def test_amounts_never_negative_and_shape_consistent(ms, a, area):
    out = dibao(ms, a, area)
    assert Decimal(out["monthly_amount"]) >= 0
    assert all(Decimal(e["monthly_amount"]) > 0 for e in out["single_person_enrollments"])
    assert out["reasons"] == sorted(out["reasons"])
    assert (out["class"] is not None) == (out["status"] == "dibao") == out["eligible"]
    if out["status"] != "dibao":
        assert out["monthly_amount"] == "0.00"


@FAST
@given(members(), st.decimals(min_value=Decimal("0.01"), max_value=3000, places=2), st.integers(0, 4))
def test_more_counted_income_never_raises_the_dibao_amount(ms, extra, who):
    # given the same household, one member with more property income (counted in full)
    before = dibao(ms)
    richer = [dict(m, income=dict(m["income"])) for m in ms]
    target = richer[who % len(richer)]
    target["income"]["property"] = str(Decimal(target["income"]["property"]) + extra)
    after = dibao(richer)
    # then
    assert Decimal(after["monthly_amount"]) <= Decimal(before["monthly_amount"])
    assert Decimal(after["per_capita_income"]) >= Decimal(before["per_capita_income"])


@FAST
@given(members(), assets)
def test_edge_household_is_never_dibao(ms, a):
    out = dibao(ms, a)
    pci, std = Decimal(out["per_capita_income"]), Decimal(out["standard"])
    if out["status"] == "edge":
        assert not out["eligible"] and out["class"] is None and out["monthly_amount"] == "0.00"
        assert std <= pci < std * Decimal("1.5")
    if out["status"] == "dibao":
        assert pci < std
    if not out["single_person_enrollments"] == []:
        assert out["status"] == "edge"


@FAST
@given(members(n_min=2), assets, st.randoms(use_true_random=False))
def test_result_independent_of_member_order(ms, a, rnd):
    shuffled = list(ms)
    rnd.shuffle(shuffled)
    first, second = dibao(ms, a), dibao(shuffled, a)
    keys = ("status", "eligible", "reasons", "class", "monthly_amount", "recheck_months", "per_capita_income")
    assert {k: first[k] for k in keys} == {k: second[k] for k in keys}
    assert sorted(map(str, first["single_person_enrollments"])) == sorted(map(str, second["single_person_enrollments"]))


@FAST
@given(members(n_min=1, n_max=1), assets, st.booleans())
def test_tekun_amount_is_basic_plus_care(ms, a, obligors):
    out = evaluate({"program": "tekun", "as_of": AS_OF.isoformat(), "area_type": "urban", "members": ms,
                    "assets": a, "obligors_able": obligors}, "reference")
    if out["status"] == "tekun":
        assert out["monthly_amount"] in {"1456.00", "1768.00", "2392.00"}
        assert out["care_level"] in {"self_care", "partial", "full"}
    else:
        assert out["reasons"] and out["care_level"] is None and out["monthly_amount"] == "0.00"
        assert ("TK_OBLIGORS" in out["reasons"]) == obligors


@FAST
@given(members(), st.sampled_from(["emergency", "expenditure"]), money)
def test_temporary_amount_within_cap(ms, kind, need):
    out = evaluate({"program": "temporary", "as_of": AS_OF.isoformat(), "area_type": "urban", "members": ms,
                    "temporary": {"type": kind, "need": need}}, "reference")
    cap = (3 if kind == "emergency" else 6) * 1040 * len(ms)
    amount = Decimal(out["monthly_amount"])
    assert 0 <= amount <= cap
    if out["status"] == "temporary":
        assert out["approval_level"] == ("township" if amount <= 1040 * len(ms) else "county")


@FAST
@given(st.sampled_from(["members[0].birth_date", "members[0].income.wage", "members[0].disability.grade",
                        "assets.financial", "as_of"]),
       st.sampled_from(["", "abc", "-1", "2026-13-40", 99, None]))
def test_parse_errors_name_the_field(field, junk):
    data = {"program": "dibao", "as_of": "2026-12-01", "area_type": "urban",
            "members": [{"id": "m1", "birth_date": "1980-01-01", "disability": {"kind": "physical", "grade": 2},
                         "income": {"wage": "100"}}], "assets": {"financial": "0"}}
    target, keys = data, field.replace("[0]", ".0").split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    target[keys[-1]] = junk
    try:
        evaluate(data, "reference")
    except ValidationFailed as exc:
        assert exc.details["field"] == field
    else:  # only values that are valid for that field may pass
        assert (field, junk) in {("members[0].income.wage", 99), ("members[0].income.wage", None),
                                 ("assets.financial", 99), ("assets.financial", None),
                                 } or \
            pytest.fail(f"{field}={junk!r} was accepted")
