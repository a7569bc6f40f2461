"""入户调查人员 (issue 20 §3, 社会救助年审 plan 三(2)三): "由至少2人(其中1人须为驻村干部)对申请对象家庭开展
入户调查" — a region setting; staff records say who is a 驻村干部; the survey is refused without one."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.accounts.services import user_create, user_set_resident_cadre
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.rules.errors import ValidationFailed
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A

from .flow import SURVEY, act, submit, verification, workflow_setting

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)


@pytest.fixture
def cadre(regions):
    return user_create(actor=None, username="zhucun_a", password="Zc-2026-strong!", role=Role.CASEWORKER,
                       region_code=TOWNSHIP_A, display_name="吴驻村", resident_cadre=True)


@pytest.fixture
def accepted(people, household, regions):
    workflow_setting(TOWNSHIP_A, survey_resident_cadre=True)
    case = submit(people["caseworker"], household, day=DAY)
    d = DAY
    for actor, action, payload in [(people["caseworker"], "request_verification", {}),
                                   (people["county"], "record_verification", verification()),
                                   (people["caseworker"], "accept", {})]:
        d += timedelta(days=1)
        case = act(actor, case, action, d, payload)
    return case, d + timedelta(days=1)


def _survey(day, **kw):
    return {**SURVEY, "date": day.isoformat(), **kw}


def test_survey_by_at_least_2_one_of_them_a_resident_cadre(people, accepted, cadre):
    """由至少2人(其中1人须为驻村干部)对申请对象家庭开展入户调查."""
    case, d = accepted
    case = act(people["caseworker"], case, "record_survey", d,
               _survey(d, investigators=["吴驻村", "王经办"], investigator_accounts=["zhucun_a", "caseworker_a"]))
    assert case.state == "surveyed"
    assert case.records.get(kind="survey").data["resident_cadres"] == ["zhucun_a"]


@pytest.mark.parametrize("payload, field, words", [
    ({"investigators": ["王经办", "陈协理"]}, "investigator_accounts", "驻村干部的账号"),
    ({"investigators": ["王经办", "陈协理"], "investigator_accounts": ["caseworker_a"]}, "investigator_accounts",
     "所填账号中没有驻村干部"),
    ({"investigators": ["王经办", "陈协理"], "investigator_accounts": ["zhucun_a"]}, "investigators",
     "驻村干部 吴驻村 不在“调查人员”名单中"),
    ({"investigators": ["吴驻村", "王经办"], "investigator_accounts": ["nobody"]}, "investigator_accounts[0]",
     "账号“nobody”不存在"),
    ({"investigators": ["吴驻村"], "investigator_accounts": ["zhucun_a"]}, "investigators", ""),
])
def test_survey_without_a_resident_cadre_is_refused(people, accepted, cadre, payload, field, words):
    """其中1人须为驻村干部: the refusal names the field and changes nothing."""
    case, d = accepted
    audit = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "record_survey", d, _survey(d, **payload))
    assert exc.value.details["field"] == field and words in exc.value.message
    case.refresh_from_db()
    assert case.state == "accepted" and AuditEvent.objects.count() == audit


def test_a_resident_cadre_of_another_township_does_not_count(people, accepted, regions):
    """Scope: a 驻村干部 of township B cannot investigate a household of township A."""
    user_create(actor=None, username="zhucun_b", password="Zc-2026-strong!", role=Role.CASEWORKER,
                region_code=TOWNSHIP_B, display_name="郑驻村", resident_cadre=True)
    case, d = accepted
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "record_survey", d,
            _survey(d, investigators=["郑驻村", "王经办"], investigator_accounts=["zhucun_b"]))
    assert exc.value.details["field"] == "investigator_accounts[0]" and "不负责本村(居)" in exc.value.message


def test_an_inactive_resident_cadre_does_not_count(people, accepted, cadre):
    User.objects.filter(pk=cadre.pk).update(is_active=False)
    case, d = accepted
    with pytest.raises(ValidationFailed) as exc:
        act(people["caseworker"], case, "record_survey", d,
            _survey(d, investigators=["吴驻村", "王经办"], investigator_accounts=["zhucun_a"]))
    assert exc.value.details["field"] == "investigator_accounts[0]"


def test_without_the_setting_the_survey_needs_no_resident_cadre(people, household, regions):
    case = submit(people["caseworker"], household, day=DAY)
    d = DAY
    for actor, action, payload in [(people["caseworker"], "request_verification", {}),
                                   (people["county"], "record_verification", verification()),
                                   (people["caseworker"], "accept", {})]:
        d += timedelta(days=1)
        case = act(actor, case, action, d, payload)
    case = act(people["caseworker"], case, "record_survey", d, _survey(d))
    assert case.state == "surveyed"


def test_staff_records_say_who_is_a_resident_cadre(regions, admin_user):
    user = user_create(actor=admin_user, username="staff_x", password="Zc-2026-strong!", role=Role.VILLAGE,
                       region_code=VILLAGE_A)
    assert user.resident_cadre is False
    user = user_set_resident_cadre(actor=admin_user, username="staff_x", resident_cadre=True)
    assert user.resident_cadre is True
    assert AuditEvent.objects.filter(action="user.resident_cadre", subject_id=str(user.pk)).count() == 1
    with pytest.raises(ValidationFailed) as exc:
        user_set_resident_cadre(actor=admin_user, username="staff_x", resident_cadre="yes")
    assert exc.value.details["field"] == "resident_cadre"
    with pytest.raises(ValidationFailed) as exc:
        user_set_resident_cadre(actor=admin_user, username="missing", resident_cadre=True)
    assert exc.value.details["field"] == "username"


def test_cli_marks_a_resident_cadre(regions, cadre):
    out = StringIO()
    call_command("user", "cadre", "zhucun_a", "--no", stdout=out)
    assert "不是驻村干部" in out.getvalue()
    cadre.refresh_from_db()
    assert cadre.resident_cadre is False
    call_command("user", "cadre", "zhucun_a", "--yes", stdout=StringIO())
    cadre.refresh_from_db()
    assert cadre.resident_cadre is True
    with pytest.raises(CommandError) as exc:
        call_command("user", "cadre", "nobody", "--yes", stdout=StringIO())
    assert "用户“nobody”不存在" in str(exc.value)
