"""自查自纠 (issue 15 §5): a county campaign runs the checks over the caseload as a background job; each
hit becomes a township rectification item, closed with one outcome (false alarm / adjust / stop /
recover). Fixtures: selfcheck_fixtures.py (every hit known; 钱一 is the clean person)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.integrity import selfcheck, selfcheck_report, selfcheck_resolve
from jiuzhu.apps.integrity.models import RecoveryItem
from jiuzhu.apps.integrity.selfcheck_models import RectificationItem, SelfCheckCampaign
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.jobs.worker import Worker
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.registry.models import Person
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

from .selfcheck_fixtures import ALL_CHECKS, AS_OF, EXPECTED, NOW, caseload, sc_ids, sc_snapshots  # noqa: F401

START = {"name": "2026年度社会救助自查自纠", "as_of": AS_OF.isoformat(), "checks": ALL_CHECKS}


def run_campaign(county_user, **over) -> SelfCheckCampaign:
    campaign = selfcheck.selfcheck_start(actor=county_user, region_code=COUNTY, data={**START, **over}, now=NOW)
    return selfcheck.selfcheck_run(campaign_id=campaign.pk, now=NOW)


def found(campaign) -> set:
    out = set()
    for item in RectificationItem.objects.filter(campaign=campaign).select_related("household"):
        name = Person.objects.get(pk=item.person_id).name if item.person_id else item.household.head_name
        out.add((item.check_code, name))
    return out


RULE_IDS = {"vehicle": "R-AST-04", "business": "R-AST-03", "public_salary": "R-INC-02", "property_purchase": "R-AST-01",
            "death": "R-DM-05", "large_deposit": "R-AST-03", "above_line": "R-DB-01", "late_approval": "R-WF",
            "relatives_unfiled": "R-HH-09", "prison": "R-HH-03"}


@pytest.mark.parametrize("check", ALL_CHECKS, ids=[f"{c}-{RULE_IDS[c]}" for c in ALL_CHECKS])
def test_each_check_finds_its_planted_hit_and_not_the_clean_person(county_user, sc_snapshots, check):
    """R-AST-01/03/04, R-INC-02(1), R-DM-05, R-DB-01, R-WF limits: one check at a time finds exactly its
    planted hits; 钱一 (motorcycle, cancelled company, company fund, old flat, deposits equal to the
    threshold, alive, income below the line, deadlines met) and the unenrolled 周八 never appear."""
    campaign = run_campaign(county_user, checks=[check])
    assert campaign.status == "done" and campaign.skipped == []
    assert found(campaign) == {e for e in EXPECTED if e[0] == check}
    assert RULE_IDS[check].split("(")[0] in RectificationItem.objects.filter(campaign=campaign).first().check_rule


def test_a_campaign_with_every_check_stores_items_for_each_township(county_user, sc_snapshots):
    campaign = run_campaign(county_user)
    assert found(campaign) == EXPECTED and campaign.hits == len(EXPECTED)
    assert campaign.population == 4 and campaign.matched == 4  # 张建国, 李秀英, 钱一, 赵九
    assert set(RectificationItem.objects.values_list("region_id", flat=True)) == {TOWNSHIP_A, TOWNSHIP_B}
    item = RectificationItem.objects.get(check_code="large_deposit")
    assert item.amount == Decimal("60000.01") and item.evidence["source"] == "bank_deposit"
    assert item.evidence["snapshot"] == sc_snapshots["bank_deposit"].snapshot.pk
    # 15 working days from Monday 2026-12-07 (demo parameter selfcheck.rectify_working_days)
    assert item.due_date == date(2026, 12, 28) == campaign.due_date
    assert "selfcheck.rectify_working_days" in campaign.params["330127000000"]
    assert AuditEvent.objects.filter(action="selfcheck.run", subject_id=str(campaign.pk)).count() == 1
    # re-running the same campaign (a retried job) stores nothing twice
    selfcheck.selfcheck_run(campaign_id=campaign.pk, now=NOW)
    assert RectificationItem.objects.count() == len(EXPECTED)


def test_relatives_unfiled_R_HH_09_evidence_names_the_staff_and_masks_the_number(county_user, caseload, sc_ids):
    """R-HH-09 / R-WF-03: the hit names the member of staff and the relation, shows the masked ID number
    only; filing the case as 近亲属备案 clears it on the next campaign."""
    campaign = run_campaign(county_user, checks=["relatives_unfiled"])
    item = RectificationItem.objects.get(campaign=campaign)
    assert item.evidence["staff"] == [{"staff_id": item.evidence["staff"][0]["staff_id"], "staff": "v_relatives（村(居)协理员）",
                                       "relation": "兄弟姐妹"}]
    assert item.evidence["source"] == "staff_relatives" and "R-WF-03" in item.evidence["rule"]
    assert "*" in item.evidence["masked"] and sc_ids["zhang"] not in str(item.evidence) + item.detail
    assert "v_relatives" in item.detail and "未作近亲属备案" in item.detail
    caseload["enrollments"]["zhang"].case.__class__.objects.filter(household=caseload["zhang"]).update(relative_flag=True)
    assert run_campaign(county_user, checks=["relatives_unfiled"]).hits == 0


def test_prison_R_HH_03_serving_during_the_enrollment_with_the_court_as_evidence(county_user, sc_snapshots):
    """R-HH-03 / R-TK-15: 张建国's sentence (from 2026-05, no end) is a hit with the 司法局 snapshot as
    evidence; 钱一's term ended before the enrollment began and the unenrolled 周八 is never reported."""
    campaign = run_campaign(county_user, checks=["prison"])
    item = RectificationItem.objects.get(campaign=campaign)
    assert item.detail == "服刑中 淳安县人民法院" and item.event_date == date(2026, 5, 1)
    assert item.evidence["source"] == "prison" and item.evidence["department"] == "司法局（监狱管理）"
    assert item.evidence["snapshot"] == sc_snapshots["prison"].snapshot.pk


def test_runs_as_a_background_job_with_progress(county_user, sc_snapshots):
    campaign = selfcheck.selfcheck_start(actor=county_user, region_code=COUNTY, data=START, now=NOW)
    job = Job.objects.get(pk=campaign.job_id)
    assert job.kind == "integrity.selfcheck" and job.status == "queued" and campaign.status == "queued"
    Worker(schedule=False).tick()
    job.refresh_from_db()
    campaign.refresh_from_db()
    assert job.status == "succeeded" and job.result["hits"] == len(EXPECTED) and job.progress_message
    assert campaign.status == "done"


def test_a_check_without_department_data_is_skipped_and_said_so(county_user, caseload):
    campaign = run_campaign(county_user)
    assert set(campaign.skipped) == {"vehicle", "business", "public_salary", "property_purchase", "death",
                                     "large_deposit", "prison"}
    assert found(campaign) == {("above_line", "张建国"), ("late_approval", "张建国"), ("relatives_unfiled", "张建国")}


@pytest.mark.parametrize(("over", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"as_of": "2026-12-08"}, "as_of"),  # after today
    ({"as_of": "2026/11/30"}, "as_of"),
    ({"checks": []}, "checks"),
    ({"checks": ["vehicle", "horoscope"]}, "checks"),
    ({"extra": 1}, "extra"),
])
def test_bad_start_input_names_the_field_and_writes_nothing(county_user, caseload, over, field):
    with pytest.raises(ValidationFailed) as exc:
        selfcheck.selfcheck_start(actor=county_user, region_code=COUNTY, data={**START, **over}, now=NOW)
    assert exc.value.details.get("field") == field and exc.value.message
    assert not SelfCheckCampaign.objects.exists() and not Job.objects.exists()


def test_only_the_county_starts_a_campaign(caseworker, outsider, county_user, caseload):
    with pytest.raises(Forbidden):
        selfcheck.selfcheck_start(actor=caseworker, region_code=COUNTY, data=START, now=NOW)
    with pytest.raises(ValidationFailed):  # a township code is not a county
        selfcheck.selfcheck_start(actor=county_user, region_code=TOWNSHIP_A, data=START, now=NOW)
    assert not SelfCheckCampaign.objects.exists()


@pytest.fixture
def campaign(county_user, sc_snapshots):
    return run_campaign(county_user)


def item_of(check: str) -> RectificationItem:
    return RectificationItem.objects.get(check_code=check, region_id=TOWNSHIP_A)


def resolve(actor, item, **data):
    return selfcheck_resolve.rectification_resolve(actor=actor, item_id=item.pk, data=data, now=NOW)


def test_false_alarm_records_the_finding_only(caseworker, campaign):
    item = resolve(caseworker, item_of("vehicle"), outcome="false_alarm", result="车辆为亲属代购，登记在其名下，已核实")
    assert item.status == "resolved" and item.outcome == "false_alarm" and item.resolved_by == caseworker
    assert not EnrollmentChange.objects.exists() and not RecoveryItem.objects.exists()
    assert AuditEvent.objects.filter(action="rectification.resolve", subject_id=str(item.pk),
                                     region_code=TOWNSHIP_A).count() == 1


def test_adjust_changes_the_amount_from_next_month(caseworker, campaign):
    item = resolve(caseworker, item_of("above_line"), outcome="adjust", amount="300.00", result="收入增加，调减保障金")
    change = item.change
    assert change.kind == "adjust" and change.new_amount == Decimal("300.00") and change.effective_month == date(2027, 1, 1)
    assert "自查自纠" in change.reason


def test_stop_uses_the_enrollment_stop_action(caseworker, campaign):
    item = resolve(caseworker, item_of("public_salary"), outcome="stop", result="户主为机关工作人员，不符合条件")
    assert item.change.kind == "stop"
    assert Enrollment.objects.get(pk=item.enrollment_id).status == "stopped"


def test_recover_raises_a_recovery_item_for_the_paid_months(caseworker, campaign, caseload):
    enrollment = caseload["enrollments"]["zhang"]
    batch = PayrollBatch.objects.create(region_id=COUNTY, month=date(2026, 11, 1), kind="regular", seq=1,
                                        prepared_at=NOW, status="reconciled")
    PaymentLine.objects.create(batch=batch, enrollment=enrollment, household=caseload["zhang"],
                               region_id=enrollment.region_id, month=date(2026, 11, 1), program="dibao", klass="C",
                               persons=2, amount=Decimal("800.00"), status="paid")
    item = resolve(caseworker, item_of("death"), outcome="recover", months=["2026-11"], result="李秀英死亡后继续领取")
    assert item.recovery.reason == "death" and item.recovery.total == Decimal("800.00")
    assert item.recovery.enrollment_id == enrollment.pk and item.recovery.region_id == TOWNSHIP_A


@pytest.mark.parametrize(("data", "field"), [
    ({"outcome": "ignore", "result": "无问题"}, "outcome"),
    ({"outcome": "false_alarm", "result": ""}, "result"),
    ({"outcome": "adjust", "result": "调整"}, "amount"),
    ({"outcome": "adjust", "result": "调整", "amount": "-1"}, "amount"),
    ({"outcome": "recover", "result": "追回"}, "months"),
    ({"outcome": "recover", "result": "追回", "months": ["2026-13"]}, "months[0]"),
    ({"outcome": "recover", "result": "追回", "months": ["2026-11"]}, "months"),  # never paid
])
def test_bad_outcome_input_names_the_field_and_changes_nothing(caseworker, campaign, data, field):
    item = item_of("death")
    with pytest.raises(ValidationFailed) as exc:
        resolve(caseworker, item, **data)
    assert exc.value.details.get("field") == field
    item.refresh_from_db()
    assert item.status == "open" and item.outcome == "" and not RecoveryItem.objects.exists()
    assert not EnrollmentChange.objects.exists()


def test_another_township_can_neither_see_nor_resolve(caseworker, outsider, campaign):
    item = item_of("vehicle")
    with pytest.raises(NotFound):
        resolve(outsider, item, outcome="false_alarm", result="越权办理")
    assert set(selfcheck_resolve.items_visible(actor=outsider).values_list("check_code", flat=True)) == {"vehicle"}
    assert selfcheck_resolve.items_visible(actor=outsider).get().region_id == TOWNSHIP_B
    rows = selfcheck_report.summary(actor=outsider, campaign=campaign, today=AS_OF)["rows"]
    assert [r["region_id"] for r in rows] == [TOWNSHIP_B]
    item.refresh_from_db()
    assert item.status == "open"


def test_resolved_once_and_reviewer_cannot_resolve(caseworker, reviewer, campaign):
    item = item_of("vehicle")
    with pytest.raises(Forbidden):
        resolve(reviewer, item, outcome="false_alarm", result="审核人不办理整改")
    resolve(caseworker, item, outcome="false_alarm", result="已核实无问题")
    with pytest.raises(Conflict):
        resolve(caseworker, item, outcome="stop", result="再次办理")


def test_report_by_township(county_user, caseworker, campaign):
    resolve(caseworker, item_of("vehicle"), outcome="false_alarm", result="已核实无问题")
    data = selfcheck_report.summary(actor=county_user, campaign=campaign, today=date(2026, 12, 29))
    a = next(r for r in data["rows"] if r["region_id"] == TOWNSHIP_A)
    assert (a["hits"], a["resolved"], a["open"], a["overdue"], a["o_false_alarm"]) == (10, 1, 9, 9, 1)
    assert data["sums"]["hits"] == 11


def test_a_failing_run_marks_the_campaign_failed_with_the_chinese_reason(county_user, caseload, monkeypatch):
    def no_calendar(*args):
        raise ValidationFailed("calendar.year_missing", "2027 年的工作日历尚未导入", field="as_of")

    monkeypatch.setattr(selfcheck, "add_workdays", no_calendar)
    campaign = selfcheck.selfcheck_start(actor=county_user, region_code=COUNTY, data=START, now=NOW)
    Worker(schedule=False).tick()
    campaign.refresh_from_db()
    job = Job.objects.get(pk=campaign.job_id)
    assert campaign.status == "failed" and "工作日历" in campaign.error
    assert job.status == "failed" and "工作日历" in job.error
    assert not RectificationItem.objects.exists()
