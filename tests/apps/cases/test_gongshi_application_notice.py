"""申请情况公示 (issue 20 §2, 社会救助年审 plan 三(2)二): "自受理申请的次日起在申请人所在的村(居)委员会公示
申请情况，公示期不少于5个工作日" — a region setting; objections reach the case; confirmation waits."""

from datetime import date, timedelta

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Notice
from jiuzhu.apps.cases.settings_services import workflow_setting_set
from jiuzhu.apps.programs.selectors import public_notices
from jiuzhu.rules.errors import Conflict, NotFound, ValidationFailed
from tests.conftest import TOWNSHIP_A

from .flow import MEETING, act, to_confirmation, to_surveyed, workflow_setting

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)  # Monday: accepted Thu 11-05, notice Fri 11-06 … end of the 5th working day, Thu 11-12
OBJECTION = {"content": "村民反映申请人子女在杭州有稳定工作", "objector": "村民乙", "contact": "13800000001"}


@pytest.fixture
def notice_on(regions):
    return workflow_setting(TOWNSHIP_A, application_notice=True)


def test_notice_from_the_day_after_acceptance_for_at_least_5_working_days(people, household, notice_on):
    """自受理申请的次日起…公示申请情况，公示期不少于5个工作日."""
    # when the case is accepted on Thursday 2026-11-05
    case, _ = to_surveyed(people, household, DAY)
    notice = case.notices.get(kind=Notice.Kind.APPLICATION)
    # then the notice runs from Friday to the end of the 5th working day after acceptance
    assert (notice.starts_on, notice.ends_on) == (date(2026, 11, 6), date(2026, 11, 12))
    assert notice.name == household.head.name and notice.household_size == 2 and notice.program == "dibao"
    # and the public page shows it from its first day to its last, with no amount
    assert not [r for r in public_notices(region_code=TOWNSHIP_A, today=date(2026, 11, 5))
                if r["kind"] == "application"]
    rows = [r for r in public_notices(region_code=TOWNSHIP_A, today=date(2026, 11, 12)) if r["kind"] == "application"]
    assert len(rows) == 1 and rows[0]["amount"] is None and rows[0]["household_size"] == 2
    assert not [r for r in public_notices(region_code=TOWNSHIP_A, today=date(2026, 11, 13))
                if r["kind"] == "application"]


def test_the_notice_spans_a_holiday_in_working_days(people, household, notice_on):
    """公示期不少于5个工作日: counted on the work calendar (国庆 2026-10-01…07 are not working days)."""
    case, _ = to_surveyed(people, household, date(2026, 9, 26))  # accepted Tue 2026-09-29
    notice = case.notices.get(kind=Notice.Kind.APPLICATION)
    assert notice.starts_on == date(2026, 9, 30)
    assert notice.ends_on >= date(2026, 10, 9)  # 9-30 and at least four working days after the holiday


def test_no_notice_where_the_region_has_not_turned_it_on(people, household, regions):
    case, d = to_surveyed(people, household, DAY)
    assert not case.notices.exists()
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "record_application_objection", d, OBJECTION)
    assert exc.value.code == "case.not_in_workflow"


def test_a_case_keeps_the_settings_it_was_submitted_with(people, household, regions):
    from .flow import submit

    case = submit(people["caseworker"], household, day=DAY)
    workflow_setting(TOWNSHIP_A, application_notice=True)
    d = DAY
    for actor, action, payload in [(people["caseworker"], "request_verification", {}),
                                   (people["county"], "record_verification", {"conclusion": "consistent"}),
                                   (people["caseworker"], "accept", {})]:
        d += timedelta(days=1)
        case = act(actor, case, action, d, payload)
    assert not case.notices.exists()


def test_objection_to_the_application_notice_reaches_the_case(people, household, notice_on):
    """对公示有异议: recorded on the case like an objection to the 7-day notice."""
    case, d = to_surveyed(people, household, DAY)
    case = act(people["caseworker"], case, "record_application_objection", date(2026, 11, 12), OBJECTION)
    record = case.records.get(kind="application_objection")
    assert record.data["content"] == OBJECTION["content"] and case.state == "surveyed"
    assert AuditEvent.objects.filter(action="case.record_application_objection").count() == 1


def test_objection_after_the_notice_ended_is_refused(people, household, notice_on):
    case, _ = to_surveyed(people, household, DAY)
    with pytest.raises(Conflict) as exc:
        act(people["caseworker"], case, "record_application_objection", date(2026, 11, 13), OBJECTION)
    assert exc.value.code == "case.application_notice_over" and "2026-11-12" in exc.value.message


def test_objection_bad_input_names_the_field_and_changes_nothing(people, household, notice_on):
    case, d = to_surveyed(people, household, DAY)
    audit = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "record_application_objection", d, {"content": ""})
    assert exc.value.details["field"] == "content"
    assert not case.records.filter(kind="application_objection").exists() and AuditEvent.objects.count() == audit


def test_an_outsider_cannot_record_an_objection(people, household, notice_on):
    case, d = to_surveyed(people, household, DAY)
    with pytest.raises(NotFound):
        act(people["outsider"], case, "record_application_objection", d, OBJECTION)
    assert not case.records.filter(kind="application_objection").exists()


def test_confirmation_waits_for_the_application_notice(people, household, notice_on):
    """公示期不少于5个工作日: confirmation is refused while the 申请情况公示 runs."""
    case, d = to_confirmation(people, household, DAY)
    notice = case.notices.get(kind=Notice.Kind.APPLICATION)
    Notice.objects.filter(pk=notice.pk).update(ends_on=d + timedelta(days=2))  # e.g. a region with a longer notice
    with pytest.raises(Conflict) as exc:
        act(people["reviewer"], case, "confirm", d, MEETING)
    assert exc.value.code == "case.application_notice_running"
    assert "申请情况公示期未满" in exc.value.message and "期满后方可审核确认" in exc.value.message
    case = act(people["reviewer"], case, "confirm", d + timedelta(days=3), MEETING)
    assert case.state == "approved"


def test_an_objection_to_the_initial_notice_leaves_the_application_notice(people, household, notice_on):
    from .flow import APPRAISAL, to_reviewed

    case, d = to_reviewed(people, household, DAY)
    case = act(people["caseworker"], case, "publish_notice", d)
    case = act(people["caseworker"], case, "record_objection", d + timedelta(days=1), OBJECTION)
    case = act(people["caseworker"], case, "hold_appraisal", d + timedelta(days=1), APPRAISAL)
    assert not case.notices.get(kind=Notice.Kind.APPLICATION).withdrawn
    assert case.notices.get(kind=Notice.Kind.INITIAL).withdrawn


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_setting_is_a_boolean(caseworker, admin_user, regions, value):
    with pytest.raises(ValidationFailed) as exc:
        workflow_setting_set(actor=admin_user, region_code=TOWNSHIP_A, data={"application_notice": value})
    assert exc.value.details["field"] == "application_notice" and "申请情况公示" in exc.value.message


def test_the_setting_is_saved_and_audited(admin_user, regions):
    row = workflow_setting_set(actor=admin_user, region_code=TOWNSHIP_A,
                               data={"application_notice": True, "hearing": True, "survey_resident_cadre": True})
    assert row.application_notice and row.hearing and row.survey_resident_cadre
    assert AuditEvent.objects.filter(action="workflow.settings", subject_id=TOWNSHIP_A).count() == 1
    from jiuzhu.apps.cases.config import region_config

    settings = region_config("330127100201").settings  # a village inherits its township's settings
    assert settings.application_notice and settings.hearing and settings.survey_resident_cadre
