"""Filing exits with the county (issue 20 §6). 综合改革 plan 二(二) 镇人民政府职责："负责在审批新增和出保结束后
5个工作日内上报县民政局备案" — a township's stop or class change is filed like a new approval, and the
county's filing list shows both with their deadlines."""

from datetime import date

import pytest

from jiuzhu.apps.enrollment.filings import exit_file_record, filings
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import enrollment_adjust, enrollment_stop
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import MEETING, act, at, to_confirmation, workflow_setting
from tests.conftest import AS_OF

from .lifecycle_helpers import make_enrollment

pytestmark = pytest.mark.django_db
STOPPED = date(2026, 12, 3)  # a Thursday: 5 working days later is Thursday 12-10


@pytest.fixture
def people(caseworker, reviewer, county_user, village_user, outsider):
    return {"caseworker": caseworker, "reviewer": reviewer, "county": county_user, "village": village_user,
            "outsider": outsider}


def test_chubao_jieshu_hou_5_ge_gongzuori_nei_shangbao_xian_minzhengju_beian(people, household):
    """综合改革 plan：负责在审批新增和出保结束后5个工作日内上报县民政局备案 — a stop is due in 5 wd."""
    e = make_enrollment(household)
    change = enrollment_stop(actor=people["caseworker"], enrollment_id=e.pk, reason="家庭收入超过标准", now=at(STOPPED))
    assert change.filing_due == date(2026, 12, 10) and change.filed_on is None
    rows = filings(actor=people["county"], today=STOPPED)
    assert [(f.kind, f.label, f.due, f.status(STOPPED)) for f in rows] == [("exit", "出保：停保", date(2026, 12, 10),
                                                                            "pending")]
    assert rows[0].status(date(2026, 12, 11)) == "overdue"
    # when the township files it
    exit_file_record(actor=people["caseworker"], change_id=change.pk, now=at(date(2026, 12, 4)))
    # then it shows as filed and cannot be filed twice
    assert [f.status(STOPPED) for f in filings(actor=people["county"], today=STOPPED, status="filed")] == ["filed"]
    assert filings(actor=people["county"], today=STOPPED, status="pending") == []
    with pytest.raises(Conflict):
        exit_file_record(actor=people["caseworker"], change_id=change.pk, now=at(date(2026, 12, 4)))


def test_a_class_change_is_an_exit_an_amount_change_alone_is_not(people, household):
    e = make_enrollment(household, klass="C")
    same_class = enrollment_adjust(actor=people["caseworker"], enrollment_id=e.pk, amount="700.00",
                                   reason="收入变化", now=at(STOPPED))
    new_class = enrollment_adjust(actor=people["caseworker"], enrollment_id=e.pk, amount="700.00", klass="D",
                                  reason="分类调整", now=at(STOPPED))
    assert same_class.filing_due is None and new_class.filing_due == date(2026, 12, 10)
    labels = [f.label for f in filings(actor=people["county"], today=STOPPED)]
    assert labels == ["出保：分类变更（C→D）"]


def test_the_filing_list_shows_new_approvals_and_exits_together(people, household, household_data, caseworker):
    case, _ = to_confirmation(people, household, date(2026, 12, 1))
    act(people["reviewer"], case, "confirm", date(2026, 12, 15), MEETING)
    other = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    e = make_enrollment(other)
    enrollment_stop(actor=people["caseworker"], enrollment_id=e.pk, reason="死亡", now=at(date(2026, 12, 16)))
    rows = filings(actor=people["county"], today=date(2026, 12, 16))
    assert [(f.kind, f.case_id or f.enrollment_id) for f in rows] == [("approval", case.pk), ("exit", e.pk)]
    assert rows[0].due == case.deadlines.get(step="county_filing").due
    assert Enrollment.objects.filter(case=case).exists()


def test_county_confirmation_needs_no_exit_filing(people, household):
    workflow_setting("330127000000", level="county")
    e = make_enrollment(household)
    change = enrollment_stop(actor=people["caseworker"], enrollment_id=e.pk, reason="收入超标", now=at(STOPPED))
    assert change.filing_due is None and filings(actor=people["county"], today=STOPPED) == []
    with pytest.raises(Conflict):
        exit_file_record(actor=people["caseworker"], change_id=change.pk, now=at(STOPPED))


def test_filing_scope_role_and_bad_input(people, household):
    e = make_enrollment(household)
    change = enrollment_stop(actor=people["caseworker"], enrollment_id=e.pk, reason="收入超标", now=at(STOPPED))
    assert filings(actor=people["outsider"], today=STOPPED) == []  # township B sees nothing of A
    with pytest.raises(NotFound):
        exit_file_record(actor=people["outsider"], change_id=change.pk, now=at(STOPPED))
    with pytest.raises(Forbidden):  # the county receives the filing, the township makes it
        exit_file_record(actor=people["county"], change_id=change.pk, now=at(STOPPED))
    for bad in ("abc", "-1", str(2**64)):
        with pytest.raises(NotFound):
            exit_file_record(actor=people["caseworker"], change_id=bad, now=at(STOPPED))
    with pytest.raises(ValidationFailed):
        filings(actor=people["county"], today=STOPPED, status="lost")
    with pytest.raises(NotFound):
        filings(actor=people["outsider"], today=STOPPED, region_code=household.region_id)
    change.refresh_from_db()
    assert change.filed_on is None


def test_filing_pages(client, people, household):
    e = make_enrollment(household)
    change = enrollment_stop(actor=people["caseworker"], enrollment_id=e.pk, reason="收入超标", now=at(STOPPED))
    client.force_login(people["county"])
    page = client.get("/filings/").content.decode()
    assert "出保：停保" in page and "报县备案清单" in page
    assert client.post(f"/filings/exits/{change.pk}/").status_code == 403
    client.force_login(people["outsider"])
    assert client.post(f"/filings/exits/{change.pk}/").status_code == 404
    client.force_login(people["caseworker"])
    assert client.post(f"/filings/exits/{change.pk}/").status_code == 302
    change.refresh_from_db()
    assert change.filed_on is not None
