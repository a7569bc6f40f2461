"""民主听证 (issue 20 §4, 社会救助年审 plan 三(2)五): "对公示有异议或核对有预警人员，应组织开展民主听证。
民主听证应遵循宣讲政策、介绍情况、现场评议、形成结论、签字确认程序进行" — before the initial review."""

from datetime import date, timedelta

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.files import attachment_add
from jiuzhu.apps.registry.declared import declared_assets_update
from jiuzhu.rules.errors import Conflict, NotFound, ValidationFailed
from jiuzhu.rules.workflow import WorkflowSettings
from jiuzhu.rules.workflow.tables import table_for
from tests.conftest import TOWNSHIP_A
from tests.web.test_cases_support import tiny_png

from .flow import EVENT_DAY, SURVEY, act, at, submit, verification, workflow_setting

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)
STEPS = {"policy": "宣讲最低生活保障政策及申请条件", "situation": "介绍申请家庭收入、财产及核对差异",
         "deliberation": "参加人员逐一发表意见", "conclusion": "多数认为差异已说明，符合条件",
         "signing": "参加人员在听证记录上签字确认"}
ATTENDEES = [{"name": "周书记", "capacity": "村党支部书记", "signed": True},
             {"name": "吴驻村", "capacity": "驻村干部", "signed": True},
             {"name": "村民丙", "capacity": "村民代表", "signed": True}]
HEARING = {"date": EVENT_DAY, "place": "珍珠半岛村村委会", "host": "周书记", "steps": STEPS, "attendees": ATTENDEES,
           "conclusion": "eligible", "conclusion_text": "差异系季节性务工收入，已说明"}
DIFFERENCE = [{"member": 0, "source": "人社", "item": "wage", "amount": "2600.00", "as_of": EVENT_DAY}]


@pytest.fixture(autouse=True)
def files_dir(settings, tmp_path):
    settings.JIUZHU_FILES_DIR = tmp_path / "files"


@pytest.fixture
def hearing_on(regions):
    return workflow_setting(TOWNSHIP_A, hearing=True, application_notice=True)


def _surveyed(people, household, *, conclusion="consistent", items=()):
    cw = people["caseworker"]
    case = submit(cw, household, day=DAY)
    d = DAY
    member = household.memberships.first().person_id
    items = [{**i, "member": member} for i in items]
    for actor, action, payload in [(cw, "request_verification", {}),
                                   (people["county"], "record_verification", verification(items, conclusion)),
                                   (cw, "accept", {}), (cw, "record_survey", {**SURVEY})]:
        d += timedelta(days=1)
        case = act(actor, case, action, d, payload)
    return case, d + timedelta(days=1)


def _sheet(people, case, day):
    return attachment_add(actor=people["caseworker"], case_id=case.pk, kind="hearing_sheet", filename="签字表.png",
                          content=tiny_png(16, 16), now=at(day))


def test_a_verification_warning_routes_the_case_to_a_hearing_before_the_initial_review(people, household, hearing_on):
    """核对有预警人员，应组织开展民主听证: the initial review is refused until the hearing is recorded."""
    case, d = _surveyed(people, household, conclusion="inconsistent", items=DIFFERENCE)
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"})
    assert exc.value.code == "case.hearing_missing" and "须先组织民主听证" in exc.value.message
    assert "核对预警" in exc.value.message
    _sheet(people, case, d)
    case = act(people["caseworker"], case, "hold_hearing", d, HEARING)
    record = case.records.get(kind="hearing")
    assert record.data["steps"] == STEPS and len(record.data["attendees"]) == 3
    assert record.data["signed_sheet_name"] == "签字表.png" and record.data["reasons"]
    case = act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"})
    assert case.state == "reviewed"


def test_assets_near_the_limit_warn(people, household, hearing_on):
    """核对有预警: financial assets at 0.9 of the limit or more (the region's dated parameter)."""
    near = [{"member": 0, "source": "银行", "item": "financial", "amount": "60000.00", "as_of": EVENT_DAY}]
    # (declared as found: 核对 agrees with the declaration, and still warns about the size)
    declared_assets_update(actor=people["caseworker"], household_id=household.pk, data={"financial": "60000.00"})
    case, d = _surveyed(people, household, items=near)
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"})
    assert "家庭金融资产 60000.00 元" in exc.value.message


def test_an_objection_to_the_application_notice_routes_the_case_to_a_hearing(people, household, hearing_on):
    """对公示有异议…应组织开展民主听证."""
    case, d = _surveyed(people, household)
    case = act(people["caseworker"], case, "record_application_objection", d, {"content": "子女收入较高未申报"})
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"})
    assert "申请情况公示有异议" in exc.value.message


def test_no_warning_no_hearing(people, household, hearing_on):
    case, d = _surveyed(people, household)
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "hold_hearing", d, HEARING)
    assert exc.value.code == "case.hearing_not_required"
    assert act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"}).state == "reviewed"


def test_without_the_setting_a_warning_does_not_block(people, household, regions):
    case, d = _surveyed(people, household, conclusion="inconsistent", items=DIFFERENCE)
    assert act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"}).state == "reviewed"


def _without(key):
    return {k: v for k, v in HEARING.items() if k != key}


@pytest.mark.parametrize("payload, field", [
    ({**HEARING, "steps": {**STEPS, "policy": ""}}, "steps.policy"),  # 宣讲政策
    ({**HEARING, "steps": {k: v for k, v in STEPS.items() if k != "signing"}}, "steps.signing"),  # 签字确认
    ({**HEARING, "attendees": ATTENDEES[:2]}, "attendees"),
    ({**HEARING, "attendees": [{**a, "signed": False} for a in ATTENDEES]}, "attendees"),
    (_without("conclusion"), "conclusion"),  # 形成结论
    ({**HEARING, "conclusion": "maybe"}, "conclusion"),
    ({**HEARING, "date": "2027-01-01"}, "date"),
    ({**HEARING, "signed_sheet": 999999}, "signed_sheet"),
])
def test_hearing_bad_input_names_the_field_and_changes_nothing(people, household, hearing_on, payload, field):
    case, d = _surveyed(people, household, conclusion="inconsistent", items=DIFFERENCE)
    _sheet(people, case, d)
    audit = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "hold_hearing", d, payload)
    assert exc.value.details["field"] == field
    assert not case.records.filter(kind="hearing").exists() and AuditEvent.objects.count() == audit


def test_the_signed_sheet_must_be_uploaded(people, household, hearing_on):
    """签字确认: the attendees' signatures are the uploaded signed sheet."""
    case, d = _surveyed(people, household, conclusion="inconsistent", items=DIFFERENCE)
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "hold_hearing", d, HEARING)
    assert exc.value.details["field"] == "signed_sheet" and "民主听证签字表" in exc.value.message


def test_an_outsider_cannot_record_a_hearing(people, household, hearing_on):
    case, d = _surveyed(people, household, conclusion="inconsistent", items=DIFFERENCE)
    _sheet(people, case, d)
    with pytest.raises(NotFound):
        act(people["outsider"], case, "hold_hearing", d, HEARING)
    assert not case.records.filter(kind="hearing").exists()


def test_a_new_warning_after_the_hearing_asks_for_another(people, household, hearing_on):
    case, d = _surveyed(people, household, conclusion="inconsistent", items=DIFFERENCE)
    _sheet(people, case, d)
    case = act(people["caseworker"], case, "hold_hearing", d, HEARING)
    case = act(people["caseworker"], case, "record_application_objection", d, {"content": "又有村民反映"})
    with pytest.raises(Conflict):
        act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"})


def test_the_table_has_the_hearing_only_where_the_region_turns_it_on():
    """Transitions as data: hold_hearing and the initial review's guard come with the setting."""
    off = {r.action: r for r in table_for("dibao", WorkflowSettings())}
    on = {r.action: r for r in table_for("dibao", WorkflowSettings(hearing=True))}
    assert "hold_hearing" not in off and "hearing_held" not in off["initial_review"].guards
    assert "hold_hearing" in on and "hearing_held" in on["initial_review"].guards
    assert "hearing_held" in on["confirm"].guards


@pytest.mark.parametrize("program", ["dibao", "tekun"])
@pytest.mark.parametrize("verify_first", [True, False])
def test_every_optional_row_has_a_label_payload_service_and_registered_guards(program, verify_first):
    """The optional steps of the 年审 plan 三(2) are complete data: labels, payloads, services, guards."""
    from jiuzhu.apps.cases.guards import GUARDS
    from jiuzhu.apps.cases.payloads import PAYLOADS
    from jiuzhu.apps.cases.services import SERVICES
    from jiuzhu.rules.workflow.states import ACTION_LABELS

    all_on = WorkflowSettings("township", verify_first, application_notice=True, survey_resident_cadre=True,
                              hearing=True)
    rows = table_for(program, all_on)
    assert {"record_application_objection", "hold_hearing"} <= {r.action for r in rows}
    for row in rows:
        assert row.action in ACTION_LABELS and row.action in PAYLOADS
        assert row.action in SERVICES or row.action == "submit"  # case_submit starts a case
        assert all(g in GUARDS for g in row.guards), row.action
