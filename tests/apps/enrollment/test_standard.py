"""Standard adjustment (物价联动): propose → preview (columnar) → approve by another user → apply, audited.

County policy 330127000000 (分档: tier 1 pci < 0.3 × standard → 0.9 × standard per person, tier 2 < 0.6 →
0.6, tier 3 < 1 → 0.3; rounded to 角; 特困 basic living 2255 published, care 0.1 / 0.4 / 1.0 × standard).
The rural standard goes from 1301 to 1350 on 2026-07-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_verify
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange, StandardChange
from jiuzhu.apps.enrollment.standard import region_policy, standard_approve, standard_propose
from jiuzhu.apps.enrollment.standard_apply import standard_apply
from jiuzhu.apps.enrollment.standard_preview import standard_preview
from jiuzhu.rules.errors import Conflict, Forbidden, ValidationFailed
from tests.conftest import make_id

from .standard_helpers import COUNTY, START, TOWNSHIP_A, VILLAGE_B, county_checker, enroll, hh_factory  # noqa: F401

SOURCE = "淳安县民政局、淳安县财政局《关于调整最低生活保障标准的通知》（淳民〔2026〕8号）第一条"
TOWNSHIP_B = "330127101000"


def propose(actor, amount="1350", start=START, area="rural", program="dibao"):
    return standard_propose(actor=actor, region_code=COUNTY, program=program, area_type=area, amount=amount,
                            start_date=start, source=SOURCE)


@pytest.fixture
def enrolled(hh_factory):
    """Six enrollments in township A and one in township B (see the module docstring for the numbers)."""
    e = {}
    e["tier1"] = enroll(hh_factory(incomes=(100, 100)))  # pci 100: 0.9 × 1301 × 2 = 2341.8, class C
    e["tier2"] = enroll(hh_factory(incomes=(500, 500)))  # pci 500: 0.6 × 1301 × 2 = 1561.2, class C
    e["tier3"] = enroll(hh_factory(incomes=(1000, 1000)))  # pci 1000: 0.3 × 1301 × 2 = 780.6, class D
    e["urban"] = enroll(hh_factory(incomes=(100, 100), area_type="urban"))  # urban standard unchanged
    e["drift"] = enroll(hh_factory(incomes=(100, 100)), amount="2000.00", klass="C")  # not what the rules give
    e["graduating"] = enroll(hh_factory(incomes=(100, 100)), status="graduating")
    e["township_b"] = enroll(hh_factory(region=VILLAGE_B, incomes=(100, 100)))
    tekun_hh = hh_factory(incomes=(0,), members=[{"name": "王老汉", "id_number": make_id(date(1946, 1, 5)),
                                                  "relation": "head"}])
    e["tekun"] = enroll(tekun_hh, amount="2775.00", klass="", program="tekun", person=tekun_hh.head)
    other = hh_factory(incomes=(0,), members=[{"name": "李阿婆", "id_number": make_id(date(1944, 2, 6), male=False),
                                               "relation": "head"}])
    e["tekun_odd"] = enroll(other, amount="2500.00", klass="", program="tekun", person=other.head)
    return e


def test_preview_numbers_and_totals(county_user, enrolled):
    # given a proposed rural standard of 1350 from 2026-07-01
    change = propose(county_user)
    # when the preview runs
    preview = standard_preview(actor=county_user, change_id=change.pk)
    rows = {r["enrollment_id"]: r for r in preview.rows.to_pylist()}
    e = {k: rows[v.pk] for k, v in enrolled.items()}
    # then each amount follows the tiers under the new standard
    assert (e["tier1"]["old_fen"], e["tier1"]["new_fen"], e["tier1"]["action"]) == (234180, 243000, "adjust")
    assert (e["tier2"]["old_fen"], e["tier2"]["new_fen"], e["tier2"]["new_class"]) == (156120, 162000, "C")
    assert (e["tier3"]["old_fen"], e["tier3"]["new_fen"], e["tier3"]["new_class"]) == (78060, 81000, "D")
    assert e["urban"]["action"] == "unchanged" and e["urban"]["new_fen"] == 234180
    assert (e["drift"]["action"], e["drift"]["reason"], e["drift"]["new_fen"]) == ("review", "facts_changed", 200000)
    assert (e["graduating"]["action"], e["graduating"]["new_fen"]) == ("keep", 234180)
    # 特困: basic 2255 + care 0.4 × standard (partial): 2255 + 520 → 2255 + 540
    assert (e["tekun"]["old_fen"], e["tekun"]["new_fen"], e["tekun"]["action"]) == (277500, 279500, "adjust")
    assert (e["tekun_odd"]["action"], e["tekun_odd"]["reason"]) == ("review", "tekun_unmatched")
    # and the totals by township and class add up
    totals = {(t["township"], t["class"]): t for t in preview.summary["totals"]}
    b = totals[(TOWNSHIP_B, "C")]
    assert (b["count"], b["old_total"], b["new_total"], b["diff"]) == (1, "2341.80", "2430.00", "88.20")
    a_c = totals[(TOWNSHIP_A, "C")]
    assert a_c["count"] == 5 and a_c["adjusted"] == 2 and a_c["review"] == 1
    assert a_c["diff"] == "147.00"  # 88.20 + 58.80
    assert totals[(TOWNSHIP_A, "")]["diff"] == "20.00" and totals[(TOWNSHIP_A, "")]["township_name"] == "千岛湖镇"
    assert preview.summary["counts"] == {"total": 9, "adjust": 5, "unchanged": 1, "keep": 1, "review": 2}
    assert preview.summary["diff"] == "284.60"  # 88.20 + 58.80 + 29.40 + 88.20 + 20.00
    change.refresh_from_db()
    assert change.preview_sha256 and change.preview_summary["counts"]["adjust"] == 5


def test_maker_checker_then_apply_once(county_user, county_checker, enrolled):
    # given a previewed change
    change = propose(county_user)
    standard_preview(actor=county_user, change_id=change.pk)
    # when the maker approves their own change: refused; apply before approval: refused
    with pytest.raises(Forbidden) as exc:
        standard_approve(actor=county_user, change_id=change.pk)
    assert exc.value.code == "standard.same_user"
    with pytest.raises(Conflict, match="尚未审批"):
        standard_apply(actor=county_user, change_id=change.pk)
    # when another county user approves and the change is applied
    standard_approve(actor=county_checker, change_id=change.pk)
    result = standard_apply(actor=county_checker, change_id=change.pk)
    # then five enrollments changed, effective the start month, with the source as legal ground
    assert result["adjusted"] == 5 and not result["already_applied"]
    tier1 = Enrollment.objects.get(pk=enrolled["tier1"].pk)
    assert (tier1.amount, tier1.klass, tier1.version) == (Decimal("2430.00"), "C", 2)
    ch = EnrollmentChange.objects.get(enrollment=tier1)
    assert (ch.kind, ch.old_amount, ch.new_amount, ch.effective_month) == ("standard", Decimal("2341.80"),
                                                                           Decimal("2430.00"), date(2026, 7, 1))
    assert ch.legal_ground == SOURCE and ch.source == f"standard:{change.pk}" and "1350" in ch.reason
    assert Enrollment.objects.get(pk=enrolled["drift"].pk).amount == Decimal("2000.00")
    assert Enrollment.objects.get(pk=enrolled["tekun"].pk).amount == Decimal("2795.00")
    # and each adjustment is audited, the chain intact
    assert AuditEvent.objects.filter(action="enrollment.standard_adjust").count() == 5
    assert AuditEvent.objects.filter(action="standard.apply", subject_id=str(change.pk)).count() == 1
    assert audit_verify()[0]
    # when applied again: nothing changes
    again = standard_apply(actor=county_checker, change_id=change.pk)
    assert again["already_applied"] and again["adjusted"] == 0
    assert EnrollmentChange.objects.count() == 5 and Enrollment.objects.get(pk=tier1.pk).version == 2
    # and the region's policy now evaluates with 1350 from July
    policy = region_policy(COUNTY)
    assert policy.lookup("dibao.standard.rural", date(2026, 7, 1)) == Decimal("1350")
    assert policy.lookup("dibao.standard.rural", date(2026, 6, 30)) == Decimal("1301")


def test_new_preview_withdraws_approval_and_stale_preview_refused(county_user, county_checker, enrolled):
    change = propose(county_user)
    standard_preview(actor=county_user, change_id=change.pk)
    standard_approve(actor=county_checker, change_id=change.pk)
    # when an enrollment changes after approval
    Enrollment.objects.filter(pk=enrolled["tier2"].pk).update(amount=Decimal("1600.00"), version=5)
    # then applying refuses and changes nothing
    with pytest.raises(Conflict) as exc:
        standard_apply(actor=county_checker, change_id=change.pk)
    assert exc.value.code == "standard.stale_preview"
    assert not EnrollmentChange.objects.exists()
    assert Enrollment.objects.get(pk=enrolled["tier1"].pk).amount == Decimal("2341.80")
    # when previewed again the approval is withdrawn
    standard_preview(actor=county_user, change_id=change.pk)
    assert StandardChange.objects.get(pk=change.pk).status == "proposed"


@pytest.mark.parametrize("kwargs, field, words", [
    ({"start": date(2026, 7, 15)}, "start_date", "不是某月1日"),
    ({"start": date(2025, 1, 1)}, "start_date", "须晚于现行标准的生效日期 2025-01-23"),
    ({"amount": "-5"}, "amount", "应大于0"),
    ({"amount": "1350.555"}, "amount", "最多两位小数"),
    ({"amount": "abc"}, "amount", "不是有效金额"),
    ({"area": "town"}, "area_type", "城乡类别"),
])
def test_bad_proposals_name_the_field(county_user, kwargs, field, words):
    with pytest.raises(ValidationFailed) as exc:
        propose(county_user, **kwargs)
    assert exc.value.details["field"] == field and words in exc.value.message
    assert not StandardChange.objects.exists()


def test_national_bound_violation_refused_with_field(county_user):
    # given 特困 basic living 2255 in 淳安县 (published amount): a dibao standard of 1800 puts it below 1.3 × 1800
    with pytest.raises(ValidationFailed) as exc:
        propose(county_user, amount="1800")
    # then refused, naming the field and the rule
    assert exc.value.code == "standard.national_bound" and exc.value.details["field"] == "amount"
    assert exc.value.details["rule"] == "R-TK-13" and "2340.00" in exc.value.message
    assert not StandardChange.objects.exists()


def test_scope_and_roles(caseworker, outsider, county_user, regions):
    # a township caseworker may not enter a standard
    with pytest.raises(Forbidden):
        propose(caseworker)
    change = propose(county_user)
    # a user of another region does not see the change
    from jiuzhu.rules.errors import NotFound

    with pytest.raises(NotFound):
        standard_preview(actor=outsider, change_id=change.pk)


def test_tekun_standard_change(county_user, county_checker, enrolled):
    # given a new rural 特困 basic living standard of 2300 from July
    change = propose(county_user, amount="2300", program="tekun")
    preview = standard_preview(actor=county_user, change_id=change.pk)
    rows = {r["enrollment_id"]: r for r in preview.rows.to_pylist()}
    # then the 特困 amount rises by 45 and dibao amounts stay
    assert rows[enrolled["tekun"].pk]["new_fen"] == 282000
    assert rows[enrolled["tier1"].pk]["action"] == "unchanged"
