"""Tekun (特困) differences: self-care and obligors at survey, support mode and guardian at confirm,
15-wd limits (R-TK-10), county spot-checks of at least 30 % (S4 art.26)."""

from datetime import date, timedelta

import pytest

from jiuzhu.apps.cases.selectors import allowed_actions, my_tasks
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.errors import Conflict, Forbidden, ValidationFailed
from tests.conftest import AS_OF, COUNTY

from .flow import (
    HOME_VISIT,
    SURVEY,
    TEKUN_MEETING,
    TEKUN_SURVEY,
    act,
    submit,
    to_confirmation,
    verification,
    workflow_setting,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)
GUARDIAN = {"guardian_class": "II", "guardian_name": "张建军", "care_agreement": "照料服务协议〔2026〕15号"}


def _accepted(people, household):
    cw = people["caseworker"]
    case = submit(cw, household, program="tekun", day=DAY)
    case = act(cw, case, "request_verification", DAY + timedelta(days=1))
    case = act(people["county"], case, "record_verification", DAY + timedelta(days=2), verification())
    return act(cw, case, "accept", DAY + timedelta(days=3))


def test_survey_records_self_care_and_obligors(people, household):
    cw = people["caseworker"]
    # given an accepted tekun case: one township deadline, investigation and opinion in 15 wd (R-TK-10)
    case = _accepted(people, household)
    assert case.deadlines.get(step="initial_opinion").due == date(2026, 11, 26)
    assert not case.deadlines.filter(step="survey").exists()
    # when the survey lacks the self-care assessment, then the obligors' ability, or counts 7 of 6
    with pytest.raises(ValidationFailed) as adl:
        act(cw, case, "record_survey", DAY + timedelta(days=4), SURVEY)
    assert adl.value.details["field"] == "adl_failed"
    assert adl.value.message == "特困供养须录入生活自理能力评估（6 项中未达项数）"
    with pytest.raises(ValidationFailed) as obligors:
        act(cw, case, "record_survey", DAY + timedelta(days=4), {**SURVEY, "adl_failed": 2})
    assert obligors.value.details["field"] == "obligors_able"
    assert obligors.value.message == "特困供养须录入义务人赡(抚、扶)养能力"
    with pytest.raises(ValidationFailed) as too_many:
        act(cw, case, "record_survey", DAY + timedelta(days=4), {**TEKUN_SURVEY, "adl_failed": 7})
    assert too_many.value.details["field"] == "adl_failed"
    assert too_many.value.message == "生活自理能力未达项数(6项)：不能大于 6"
    # then with both it is recorded, and the opinion deadline stays the 15-wd one
    case = act(cw, case, "record_survey", DAY + timedelta(days=4), TEKUN_SURVEY)
    assert case.records.get(kind="survey").data["adl_failed"] == 1
    assert list(case.deadlines.filter(status="open").values_list("step", flat=True)) == ["initial_opinion",
                                                                                        "overall"]


def _confirmable(people, household, survey=TEKUN_SURVEY):
    """A tekun case awaiting confirmation whose county spot check (if sampled) is done."""
    case, d = to_confirmation(people, household, DAY, program="tekun", survey=survey)
    if case.spot_check_sampled:
        case = act(people["county"], case, "record_spot_check", d, HOME_VISIT)
    return case, d + timedelta(days=1)


def test_confirm_records_support_mode_and_enrolls_the_person(people, household):
    case, d = _confirmable(people, household)
    meeting = {k: v for k, v in TEKUN_MEETING.items() if k != "support_mode"}
    # when confirmed without a support mode
    with pytest.raises(ValidationFailed) as exc:
        act(people["reviewer"], case, "confirm", d, meeting)
    assert exc.value.details["field"] == "support_mode"
    assert exc.value.message == "特困供养须选择供养方式（集中供养/分散供养）"
    # then with it the person (not the household) is enrolled and published as a household of one
    case = act(people["reviewer"], case, "confirm", d, {**meeting, "support_mode": "centralized"})
    enrollment = Enrollment.objects.get(case=case)
    assert (enrollment.person_id, enrollment.persons, enrollment.program) == (household.head_id, 1, "tekun")
    assert case.notices.get(kind="long_term").household_size == 1
    assert case.records.get(kind="confirmation").data["support_mode"] == "centralized"


@pytest.mark.parametrize("who", ["full care (4 of 6 ADL failed)", "intellectual disability grade 2"])
def test_persons_without_capacity_need_guardian_and_care_agreement(people, household, who):
    # given a person who cannot look after themselves
    survey = TEKUN_SURVEY
    if who.startswith("full care"):
        survey = {**TEKUN_SURVEY, "adl_failed": 4}
    else:
        type(household.head).objects.filter(pk=household.head_id).update(disability_kind="intellectual",
                                                                        disability_grade=2)
    case, d = _confirmable(people, household, survey)
    # when the guardian or the agreement is missing
    for missing, field, message in [
        ("guardian_class", "guardian_class", "该特困人员生活不能自理或为智力/精神残疾，须确定监护人及监护类别"),
        ("guardian_name", "guardian_name", "该特困人员生活不能自理或为智力/精神残疾，须确定监护人及监护类别"),
        ("care_agreement", "care_agreement", "须签订照料服务协议"),
    ]:
        payload = {**TEKUN_MEETING, **{k: v for k, v in GUARDIAN.items() if k != missing}}
        with pytest.raises(ValidationFailed) as exc:
            act(people["reviewer"], case, "confirm", d, payload)
        # then it is refused naming the field
        assert (exc.value.details["field"], exc.value.message) == (field, message), who
    case = act(people["reviewer"], case, "confirm", d, {**TEKUN_MEETING, **GUARDIAN})
    assert case.records.get(kind="confirmation").data["guardian_name"] == "张建军"


def test_county_confirmation_level_gives_the_county_15_wd(people, household):
    # given the county keeps confirmation (national default)
    workflow_setting(COUNTY, level="county")
    case, d = to_confirmation(people, household, DAY, program="tekun")
    # then the county has 15 wd (R-TK-10), and the township group may not confirm
    due = case.deadlines.get(step="confirmation")
    assert (due.amount, due.rule_id, due.starts_on) == (15, "R-TK-10", d)
    with pytest.raises(Forbidden):
        act(people["reviewer"], case, "confirm", d, TEKUN_MEETING)
    case = act(people["county"], case, "record_spot_check", d, HOME_VISIT)
    case = act(people["county"], case, "confirm", d, TEKUN_MEETING)
    assert case.state == "approved" and not case.deadlines.filter(step="county_filing").exists()


def test_spot_checks_keep_at_least_30_percent_and_block_confirmation(people, household_data):
    cw, county, reviewer = people["caseworker"], people["county"], people["reviewer"]
    # when seven tekun cases of the county reach confirmation one after another
    cases = []
    for _ in range(7):
        hh = household_create(actor=cw, data=household_data(), as_of=AS_OF)
        cases.append(to_confirmation(people, hh, DAY, program="tekun")[0])
        sampled = sum(c.spot_check_sampled for c in cases)
        # then at every moment at least 30 % of them are sampled
        assert sampled * 10 >= len(cases) * 3
    assert [c.spot_check_sampled for c in cases] == [True, False, False, True, False, False, True]
    d = DAY + timedelta(days=20)
    first, second = cases[0], cases[1]
    # and a sampled case waits for the county: the group cannot confirm it yet
    assert "confirm" not in allowed_actions(case=first, actor=reviewer, today=d)
    assert first.pk in [c.pk for c in my_tasks(actor=county)]
    assert first.pk not in [c.pk for c in my_tasks(actor=reviewer)]
    with pytest.raises(Conflict) as exc:
        act(reviewer, first, "confirm", d, TEKUN_MEETING)
    assert exc.value.message == "该案件被抽中县级抽查，须先录入县级入户抽查情况"
    first = act(county, first, "record_spot_check", d, HOME_VISIT)
    assert first.pk in [c.pk for c in my_tasks(actor=reviewer)]
    assert act(reviewer, first, "confirm", d, TEKUN_MEETING).state == "approved"
    # and an unsampled case needs no spot check and cannot get one
    with pytest.raises(Conflict) as not_sampled:
        act(county, second, "record_spot_check", d, HOME_VISIT)
    assert not_sampled.value.message == "该案件未被抽中县级抽查"
    assert act(reviewer, second, "confirm", d, TEKUN_MEETING).state == "approved"
