"""特困人员监护照护 rules (R-GRD-01, R-GRD-05, R-TK-14): capacity apart from self-care, guardian class
from the persons recorded, visit dates and intervals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.rules.care import (
    Relative,
    care_class,
    check_capacity,
    check_guardian,
    check_visit_date,
    expected_guardian_class,
    next_visit_due,
    tekun_monthly_amount,
    visit_interval,
)
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.terms import terms_for

TERMS = terms_for(load_policy("reference"), date(2026, 12, 1), "rural")


def _guardian(**kw):
    args = {"guardian_class": "I", "guardian_kind": "spouse", "relatives": [], "consent_by": "",
            "committee_capable": True}
    args.update(kw)
    check_guardian(**args)


# -- capacity (R-GRD-01 applies to persons lacking capacity; basis required) ---------------------

def test_full_capacity_needs_no_basis():
    check_capacity("full", "", "", disability_kind="physical", disability_grade=1)


def test_limited_capacity_without_basis_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        check_capacity("limited", "", "", disability_kind="none", disability_grade=0)
    assert exc.value.details["field"] == "capacity_basis"


def test_disability_basis_needs_an_intellectual_or_mental_grade_on_record():
    check_capacity("none", "disability", "", disability_kind="mental", disability_grade=2)
    with pytest.raises(ValidationFailed) as exc:  # a physical disability is not a capacity basis
        check_capacity("none", "disability", "", disability_kind="physical", disability_grade=1)
    assert "智力或精神残疾" in exc.value.message


def test_court_basis_names_its_document():
    with pytest.raises(ValidationFailed) as exc:
        check_capacity("none", "court", "  ", disability_kind="none", disability_grade=0)
    assert exc.value.details["field"] == "capacity_detail"
    check_capacity("none", "court", "（2026）浙0127民特12号", disability_kind="none", disability_grade=0)


def test_unknown_capacity_is_refused():
    with pytest.raises(ValidationFailed):
        check_capacity("partly", "", "", disability_kind="none", disability_grade=0)


# -- self-care class (R-TK-14) -----------------------------------------------------------------

@pytest.mark.parametrize(("failed", "klass"), [
    ([], "self_care"), (["bathing"], "partial"), (["bathing", "walking", "eating"], "partial"),
    (["bathing", "walking", "eating", "dressing"], "full"),
])
def test_R_TK_14_care_class_from_failed_adls(failed, klass):
    assert care_class(failed, TERMS) == klass


def test_R_TK_14_duplicate_adls_count_once_and_unknown_refused():
    assert care_class(["bathing"] * 5, TERMS) == "partial"
    with pytest.raises(ValidationFailed):
        care_class(["flying"], TERMS)


def test_R_TK_14_amount_grows_with_the_care_class():
    low, mid, high = (tekun_monthly_amount(k, TERMS) for k in ("self_care", "partial", "full"))
    assert low < mid < high
    assert isinstance(low, Decimal)


# -- guardian class (R-GRD-01, seed 二(二)) ----------------------------------------------------

def test_R_GRD_01_class_follows_from_who_exists():
    assert expected_guardian_class([Relative("child", "王明", True)], False) == "I"
    assert expected_guardian_class([Relative("child", "王明", False)], True) == "II"
    assert expected_guardian_class([], False) == "III"


def test_R_GRD_01_class_I_with_an_able_relative():
    _guardian(guardian_kind="child", relatives=[Relative("child", "王明", True)])


def test_R_GRD_01_civil_code_order_spouse_before_children():
    rel = [Relative("spouse", "李芳", True), Relative("child", "王明", True)]
    with pytest.raises(ValidationFailed) as exc:
        _guardian(guardian_kind="child", relatives=rel)
    assert "配偶李芳" in exc.value.message and exc.value.code == "care.guardian_order"
    rel[0] = Relative("spouse", "李芳", False)  # the spouse cannot act: the child may
    _guardian(guardian_kind="child", relatives=rel)


def test_R_GRD_01_class_I_without_that_relative_recorded_is_refused():
    with pytest.raises(ValidationFailed):
        _guardian(guardian_kind="sibling", relatives=[])
    with pytest.raises(ValidationFailed):
        _guardian(guardian_kind="person", relatives=[])


def test_R_GRD_01_class_III_refused_when_an_able_relative_exists():
    with pytest.raises(ValidationFailed) as exc:
        _guardian(guardian_class="III", guardian_kind="village_committee", relatives=[Relative("sibling", "王强", True)])
    assert "应确定为Ⅰ类" in exc.value.message


def test_R_GRD_01_class_II_needs_consent():
    with pytest.raises(ValidationFailed) as exc:
        _guardian(guardian_class="II", guardian_kind="person")
    assert exc.value.details["field"] == "consent_by"
    _guardian(guardian_class="II", guardian_kind="organisation", consent_by="civil_affairs")


def test_R_GRD_01_class_III_committee_first_then_civil_affairs():
    _guardian(guardian_class="III", guardian_kind="village_committee")
    with pytest.raises(ValidationFailed):
        _guardian(guardian_class="III", guardian_kind="civil_affairs", committee_capable=True)
    _guardian(guardian_class="III", guardian_kind="civil_affairs", committee_capable=False)
    with pytest.raises(ValidationFailed):  # a willing person: class II, not III
        _guardian(guardian_class="III", guardian_kind="person")


# -- visits (R-GRD-05, seed 三(三)) -------------------------------------------------------------

def test_visit_in_the_future_or_outside_the_enrollment_is_refused():
    today, start = date(2026, 12, 7), date(2026, 3, 1)
    check_visit_date(date(2026, 12, 7), today=today, start_month=start, stopped_month=None)
    for bad, stopped in ((date(2026, 12, 8), None), (date(2026, 2, 28), None), (date(2026, 11, 2), date(2026, 11, 1))):
        with pytest.raises(ValidationFailed) as exc:
            check_visit_date(bad, today=today, start_month=start, stopped_month=stopped)
        assert exc.value.details["field"] == "visited_on"


def test_R_GRD_05_interval_is_at_least_monthly():
    assert visit_interval(None) == 30
    assert visit_interval(14) == 14
    assert visit_interval(90) == 31
    assert next_visit_due(None, date(2026, 3, 1), 30) == date(2026, 3, 31)
    assert next_visit_due(date(2026, 11, 20), date(2026, 3, 1), 30) == date(2026, 12, 20)


def test_R_GRD_04_placement_names_the_institution_or_the_caregiver():
    from jiuzhu.rules.care import check_placement

    ok = {"institution_kind": "elder_home", "institution": "千岛湖镇敬老院", "caregiver": "", "has_guardian": False,
          "guardian_consent": False}
    check_placement("centralized", **ok)
    for bad in ({"institution": " "}, {"institution_kind": ""}):
        with pytest.raises(ValidationFailed):
            check_placement("centralized", **{**ok, **bad})
    mental = {**ok, "institution_kind": "mental_health", "has_guardian": True}
    with pytest.raises(ValidationFailed):
        check_placement("centralized", **mental)
    with pytest.raises(ValidationFailed, match="尚未确定监护人"):  # no guardian: nobody can consent
        check_placement("centralized", **{**mental, "has_guardian": False, "guardian_consent": True})
    check_placement("centralized", **{**mental, "guardian_consent": True})
    with pytest.raises(ValidationFailed):
        check_placement("dispersed", **ok)
    check_placement("dispersed", **{**ok, "caregiver": "邻居"})
    with pytest.raises(ValidationFailed):
        check_placement("home", **ok)
