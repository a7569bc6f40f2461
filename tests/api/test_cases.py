"""/api/v1/cases: a dibao case driven by the demo users, the contract's case shape, and errors.

The API reads the clock with ``django.utils.timezone.now``; ``clock`` replaces it so the 7-day notice
can pass (``timezone.localdate()`` follows it too).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case, CaseEvent
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.synthetic.demo import demo_load
from tests.apps.cases.flow import APPRAISAL, MEETING, SURVEY
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .conftest import post_json

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/cases"
INTAKE = {"id_checked": True, "authorization_signed": True}


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)

    def advance(self, days=1):
        self.now += timedelta(days=days)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def demo(clock, client, bearer):
    """The demo county with 5 households; the poorest household of township A (千岛湖镇) applies."""
    demo_load(households=5)
    wenchang = User(username="wenchang", role=Role.CASEWORKER, region_id=TOWNSHIP_B, display_name="文昌镇经办")
    wenchang.save()
    hh = Household.objects.filter(region_id__gte=TOWNSHIP_A, region_id__lte=TOWNSHIP_A[:9] + "999") \
        .order_by("financial_assets", "id").first()
    headers = {u.username: bearer(u) for u in User.objects.all()}

    def do(user, action, payload=None, *, days=1, case_id=None, **query):
        clock.advance(days)
        path = f"{URL}/{case_id or do.case_id}/actions/{action}"
        if query:
            path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return post_json(client, path, payload or {}, headers[user])

    def get(user, case_id=None):
        return client.get(f"{URL}/{case_id or do.case_id}", **headers[user])

    do.case_id, do.get, do.household, do.headers = None, get, hh, headers
    return do


def start(client, demo, user="township"):
    body = {"program": "dibao", "household": demo.household.pk, "applicant": demo.household.head_id,
            "channel": "window", "intake": INTAKE}
    response = post_json(client, URL, body, demo.headers[user])
    assert response.status_code == 201, response.json()
    demo.case_id = response.json()["id"]
    return response.json()


def ok(response):
    assert response.status_code == 200, response.json()
    return response.json()


def pensions(household):
    """The county's verification report: each member's pension is 600 yuan a month (the demo household
    declared more, which would make it an edge household, not a dibao one)."""
    members = household.memberships.filter(end_date__isnull=True).values_list("person_id", flat=True)
    items = [{"member": pk, "source": "县社保局", "item": "transfer", "amount": "600.00", "as_of": "2026-10-31"}
             for pk in members]
    return {"items": items, "conclusion": "inconsistent", "note": "养老金实际发放额低于申报"}


def to_notice(client, demo):
    start(client, demo)
    for user, action, payload in [
        ("township", "request_verification", {}),
        ("county", "record_verification", pensions(demo.household)),
        ("township", "accept", {}),
        ("township", "record_survey", SURVEY),
    ]:
        ok(demo(user, action, payload))
    review = ok(demo("township", "initial_review", {"opinion": "grant"}))
    assert review["proposal"]["result"]["status"] == "dibao" and review["decided_amount"] is not None
    return ok(demo("township", "publish_notice"))


def test_full_dibao_case_through_the_api(client, demo, clock):
    # given the demo household's case, submitted at the window and taken to its notice
    created_at = clock.now
    body = to_notice(client, demo)
    assert body["state"] == "in_notice"
    assert body["allowed_actions"] == ["record_objection", "withdraw", "terminate", "extend"]
    # when the 7 days pass, the notice is closed and the review-confirmation group confirms
    clock.advance(8)
    assert demo.get("township").json()["allowed_actions"] == [
        "record_objection", "close_notice", "withdraw", "terminate", "extend"]
    ok(demo("township", "close_notice", days=0))
    waiting = {user: demo.get(user).json()["allowed_actions"] for user in ("township", "township_lead", "county")}
    confirmed = ok(demo("township_lead", "confirm", MEETING))
    # then allowed actions depended on who asked
    assert waiting == {"township": ["withdraw", "terminate", "extend"], "township_lead": ["confirm", "reject"],
                       "county": []}
    # and the case has the contract's shape
    case = demo.get("county").json()
    assert case == confirmed  # the group and the county have nothing left to do
    assert {"id", "program", "state", "household", "region", "allowed_actions", "deadlines", "overdue",
            "timeline"} <= set(case)
    assert all(d["opened_by"] for d in case["deadlines"])  # each deadline step names the actions that open it
    assert (case["id"], case["program"], case["state"], case["household"], case["region"], case["overdue"]) == (
        str(demo.case_id), "dibao", "approved", str(demo.household.pk), demo.household.region_id, False)
    assert confirmed["allowed_actions"] == [] and demo.get("township").json()["allowed_actions"] == ["file_record"]
    deadlines = {d["step"]: d for d in case["deadlines"]}
    assert {d["status"] for s, d in deadlines.items() if s != "county_filing"} == {"met"}
    assert deadlines["county_filing"]["status"] == "open" and deadlines["overall"]["due"] == "2026-12-01"
    assert [(e["action"], e["actor_username"], e["state"]) for e in case["timeline"]] == [
        ("submit", "township", "submitted"), ("request_verification", "township", "verifying"),
        ("record_verification", "county", "verified"), ("accept", "township", "accepted"),
        ("record_survey", "township", "surveyed"), ("initial_review", "township", "reviewed"),
        ("publish_notice", "township", "in_notice"), ("close_notice", "township", "awaiting_confirmation"),
        ("confirm", "township_lead", "approved")]
    assert case["timeline"][0]["at"] == created_at.isoformat() and created_at.isoformat().endswith("+08:00")
    # people are shown by their display names (the user name stays beside it as the identifier)
    names = dict(User.objects.values_list("username", "display_name"))
    assert all(e["actor"] == names[e["actor_username"]] != e["actor_username"] for e in case["timeline"])
    assert Enrollment.objects.get(case_id=demo.case_id).amount == Case.objects.get().decided_amount


def test_objection_and_appraisal_through_the_api(client, demo):
    # given a case in its notice, objected to
    to_notice(client, demo)
    ok(demo("township", "record_objection", {"content": "群众反映该户子女有稳定收入"}, days=2))
    # when the appraisal has too few villager representatives
    refused = demo("township", "hold_appraisal", {**APPRAISAL, "representatives": 3})
    # then 422 names the field in Chinese
    assert refused.status_code == 422
    assert refused.json() == {"code": "payload.invalid", "message": "村(居)民代表应占参加人数的三分之二以上（WF-8）",
                              "details": {"field": "representatives", "errors": [
                                  {"field": "representatives", "message": "村(居)民代表应占参加人数的三分之二以上（WF-8）",
                                   "type": "value_error"}]}}
    assert ok(demo("township", "hold_appraisal", APPRAISAL))["state"] == "surveyed"
    ok(demo("township", "initial_review", {"opinion": "grant"}))
    ok(demo("township", "publish_notice"))
    early = demo("township", "close_notice", days=7)
    assert early.status_code == 409 and early.json()["code"] == "case.notice_running"
    end = timezone.localdate().isoformat()  # published 7 days ago: the notice runs through today
    first = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert early.json()["message"] == f"公示期未满（公示至 {end}），{first} 起方可结束公示"
    ok(demo("township", "close_notice"))
    body = ok(demo("township_lead", "confirm", MEETING))
    actions = [e["action"] for e in body["timeline"]]
    assert actions[6:] == ["publish_notice", "record_objection", "hold_appraisal", "initial_review",
                           "publish_notice", "close_notice", "confirm"]


def _unchanged(case_id):
    case = Case.objects.get(pk=case_id)
    return case.state, case.version, CaseEvent.objects.filter(case=case).count(), AuditEvent.objects.count()


@pytest.mark.parametrize("user, action, payload, query, status, code, message, field", [
    ("township", "accept", {}, {}, 409, "case.wrong_state", "案件当前状态为“已提交”，不能执行“受理”", None),
    ("township_lead", "request_verification", {}, {}, 403, "case.role", "您的角色不能执行“提请核对”", None),
    ("wenchang", "request_verification", {}, {}, 404, "not_found", "案件不存在或不在您的管辖范围内", None),
    ("township", "withdraw", {"reason": ""}, {}, 422, "payload.invalid", "理由：不能为空", "reason"),
    ("township", "request_verification", {"note": "x", "extra": 1}, {}, 422, "payload.invalid",
     "extra：不认识的字段", "extra"),
    ("township", "terminate", {"reason_code": "tired"}, {}, 422, "payload.invalid",
     "终止原因：取值无效，可选：'refused_cooperation'、'false_information'、'applicant_deceased'、'moved_away'",
     "reason_code"),
    ("township", "withdraw", {"reason": "a\u0000b"}, {}, 422, "payload.invalid",
     "理由：不能包含空字符或无效的 Unicode 字符", "reason"),
    ("township", "request_verification", {}, {"version": 1}, 409, "case.changed", "案件已被他人处理，请刷新后重试",
     "version"),
    ("township", "no_such_action", {}, {}, 404, "case.unknown_action", "未知操作：no_such_action", "action"),
    ("township", "record_spot_check", {"date": "2026-11-03", "visitors": ["甲"], "findings": "属实"}, {}, 409,
     "case.not_in_workflow", "本案件的办理流程中没有“县级抽查入户”环节", None),
])
def test_refusals_are_chinese_json_and_change_nothing(client, demo, user, action, payload, query, status, code,
                                                      message, field):
    # given a submitted case
    start(client, demo)
    before = _unchanged(demo.case_id)
    # when
    response = demo(user, action, payload, **query)
    # then
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert (body["code"], body["message"]) == (code, message)
    assert body["details"].get("field") == field
    assert _unchanged(demo.case_id) == before


def test_unparseable_body_and_survey_details(client, demo):
    start(client, demo)
    before = _unchanged(demo.case_id)
    broken = client.post(f"{URL}/{demo.case_id}/actions/withdraw", data=b"{not json", content_type="application/json",
                         **demo.headers["township"])
    assert broken.status_code == 400 and broken.json()["message"] == "请求格式错误（请求体不是有效的 JSON）"
    for user, action, payload in [("township", "request_verification", {}),
                                  ("county", "record_verification", {"items": [], "conclusion": "consistent"}),
                                  ("township", "accept", {})]:
        ok(demo(user, action, payload))
    before = _unchanged(demo.case_id)
    one = demo("township", "record_survey", {**SURVEY, "investigators": ["王经办"]})
    assert one.status_code == 422 and one.json()["message"] == "调查人员：至少需要 2 项"
    assert one.json()["details"]["field"] == "investigators"
    assert [e["field"] for e in one.json()["details"]["errors"]] == ["investigators"]
    bad_date = demo("township", "record_survey", {**SURVEY, "date": "2026-13-01"})
    assert bad_date.json()["details"]["field"] == "date" and bad_date.json()["message"].startswith("调查日期：")
    assert _unchanged(demo.case_id) == before


def test_detail_is_scoped_and_unknown_ids_are_404(client, demo):
    start(client, demo)
    assert demo.get("township").status_code == 200
    for user, case_id in [("wenchang", demo.case_id), ("township", 99999999)]:
        response = demo.get(user, case_id)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    village = demo.get("village")  # 王协理's village is not this household's community
    assert village.status_code == 404


def test_submit_errors(client, demo):
    headers = demo.headers
    body = {"program": "dibao", "household": demo.household.pk, "applicant": demo.household.head_id,
            "channel": "window", "intake": INTAKE}
    other = post_json(client, URL, body, headers["wenchang"])
    assert other.status_code == 404 and other.json()["message"] == "家庭不存在或不在您的管辖范围内"
    lead = post_json(client, URL, body, headers["township_lead"])
    assert lead.status_code == 403 and lead.json()["message"] == "您的角色不能提交申请"
    online = post_json(client, URL, {**body, "channel": "online"}, headers["township"])
    assert online.status_code == 422 and online.json()["details"]["field"] == "channel"
    undeclared = post_json(client, URL, {**body, "intake": {**INTAKE, "has_relatives": True}}, headers["township"])
    assert undeclared.status_code == 422 and undeclared.json() == {
        "code": "payload.invalid", "message": "申报有近亲属时须逐一填写", "details": {"field": "intake.relatives", "errors": [
            {"field": "intake.relatives", "message": "申报有近亲属时须逐一填写", "type": "value_error"}]}}
    assert not Case.objects.exists()
    assert post_json(client, URL, body, headers["township"]).status_code == 201
    again = post_json(client, URL, body, headers["township"])
    assert again.status_code == 409 and again.json()["message"] == "该家庭已有同一项目正在办理的申请"
