"""低收入和支出型贫困家庭认定 (年审 plan 四(三)) in the browser: start, 核对, survey, opinion, notice,
decision; the register entry (台账) is the output; 清退; the 年审 recheck. Bad input and an attack from
the outsider's township."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.documents import contexts
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.standard import region_policy
from jiuzhu.apps.lowincome.models import LowIncomeRecheck
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.registry.models import Person
from jiuzhu.apps.reviews.services import review_start
from tests.conftest import COUNTY
from tests.web.helpers import field_error

from .test_cases_support import SURVEY, age_notice, people  # noqa: F401


def _line(household) -> Decimal:
    policy = region_policy(household.region_id)
    today = timezone.localdate()
    return policy.entry(f"dibao.standard.{household.area_type}", today).value, policy.entry("edge.multiplier", today).value


def _act(client, case, action, data=None):
    case.refresh_from_db()
    resp = client.post(reverse("web:case_action", args=[case.pk, action]), {"version": case.version, **(data or {})})
    assert resp.status_code == 302, (action, resp.status_code, resp.content.decode()[:3000])
    case.refresh_from_db()
    page = client.get(resp.url)  # the case page renders in every state of the recognition
    assert page.status_code == 200 and case.state_label in page.content.decode()
    return case


def _start(client, household, **extra):
    return client.post(reverse("web:lowincome_start"), {"household": household.number, "source": "application",
                                                         "id_checked": "on", "authorization_signed": "on", **extra})


def _walk_to_opinion(client, people, household, wage: Decimal, **assess):
    """Drive one household's recognition through the browser to the township's 认定意见."""
    Person.objects.filter(pk=household.head_id).update(wage=wage)
    client.force_login(people["caseworker"])
    resp = _start(client, household)
    assert resp.status_code == 302
    case = Case.objects.get(program="lowinc", household=household)
    assert resp.url == reverse("web:case_detail", args=[case.pk])
    case = _act(client, case, "request_verification")
    client.force_login(people["county"])
    case = _act(client, case, "record_verification", {
        "conclusion": "consistent", "items[0].member": str(household.head_id), "items[0].source": "人社",
        "items[0].item": "wage", "items[0].amount": str(wage), "items[0].as_of": "2026-10-31"})
    client.force_login(people["caseworker"])
    case = _act(client, case, "accept")
    case = _act(client, case, "record_survey", {"date": SURVEY["date"], "investigators": "王经办\n陈协理",
                                                "living_conditions": SURVEY["living_conditions"],
                                                "findings": SURVEY["findings"]})
    assert case.state == "surveyed"
    return _act(client, case, "assess_lowincome", assess)


def test_seed_plan_4_3_low_income_recognition_runs_end_to_end_in_the_browser(client, people, household):
    """年审 plan 四(三): "认定程序按照低保认定程序执行" — 核对、入户调查、认定意见、公示、认定; the household
    with per-capita income below 1.5 × (the region's multiplier) the dibao standard enters the 台账."""
    standard, multiplier = _line(household)
    wage = (standard * Decimal("1.2") * 2).quantize(Decimal("1"))  # per capita 1.2 × standard, 2 members
    assert standard <= wage / 2 < multiplier * standard
    case = _walk_to_opinion(client, people, household, wage)
    assert case.state == "reviewed"
    review = case.records.filter(kind="review").latest("id").data
    assert review["opinion"] == "grant" and review["category"] == "edge"
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "低收入和支出型贫困家庭认定" in page and "发布初审公示" in page
    case = _act(client, case, "publish_notice")
    age_notice(case)
    case = _act(client, case, "close_notice")
    assert case.state == "awaiting_confirmation"
    client.force_login(people["reviewer"])
    case = _act(client, case, "recognize", {"note": "经审核，符合低收入家庭认定条件"})
    assert case.state == "approved" and not case.is_open
    entry = LowIncomeEntry.objects.get(household=household)
    assert entry.source_case_id == case.pk and entry.category == "edge"
    assert entry.recognized_on == timezone.localdate() and entry.valid_until is not None
    assert (entry.valid_until - entry.recognized_on).days in range(360, 366)  # 12 months (R-LI-05)
    assert AuditEvent.objects.filter(action="lowincome.recognize", subject_id=str(entry.pk)).exists()
    docs = contexts(case, timezone.localdate())
    assert {"application", "survey", "initial_notice"} <= set(docs)
    pdf = client.get(reverse("web:case_document", args=[case.pk, "initial_notice"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the 台账 shows it, and the xlsx carries it with the source case
    client.force_login(people["caseworker"])
    home = client.get(reverse("web:lowincome_home")).content.decode()
    assert f"entry-{entry.pk}" in home and case.number in home
    xlsx = client.get(reverse("web:lowincome_ledger"))
    assert xlsx.status_code == 200
    rows = CalamineWorkbook.from_filelike(BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["序号", "家庭编号", "户主"] and rows[1][1] == household.number and rows[1][8] == case.number
    assert rows[1][9] == "有效"
    # the register page (monitoring) lists the same entry: the recognition is its output
    assert household.number in client.get(reverse("web:register_list")).content.decode()


def test_seed_plan_5_1_recognized_households_get_a_recheck_task_in_the_annual_review(client, people, household):
    """年审 plan 五(一)1: "对所有…已认定的低收入和支出型贫困家庭等社会救助对象进行全面入户调查" — the
    campaign gives each recognized household a recheck task; keeping renews the validity, 清退 removes it."""
    standard, _ = _line(household)
    case = _walk_to_opinion(client, people, household, (standard * Decimal("2.4")).quantize(Decimal("1")))
    _act(client, case, "publish_notice")
    age_notice(case)
    _act(client, case, "close_notice")
    client.force_login(people["reviewer"])
    _act(client, case, "recognize")
    entry = LowIncomeEntry.objects.get(household=household)
    campaign, _ = review_start(actor=people["county"], region_code=COUNTY, year=2027, now=timezone.now())
    client.force_login(people["caseworker"])
    resp = client.post(reverse("web:lowincome_rechecks"), {"campaign": campaign.pk})
    assert resp.status_code == 302
    task = LowIncomeRecheck.objects.get(entry=entry, campaign=campaign)
    client.post(reverse("web:lowincome_rechecks"), {"campaign": campaign.pk})  # again: no second task
    assert LowIncomeRecheck.objects.filter(entry=entry).count() == 1
    # bad input: removal without a reason is refused next to the field, nothing changes
    resp = client.post(reverse("web:lowincome_recheck", args=[task.pk]), {"outcome": "remove", "reason": ""})
    assert resp.status_code == 422 and "请选择清退原因" in resp.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    resp = client.post(reverse("web:lowincome_recheck", args=[task.pk]),
                       {"outcome": "remove", "reason": "income_above", "note": "务工收入增加"})
    assert resp.status_code == 302
    task.refresh_from_db()
    entry.refresh_from_db()
    assert task.status == "done" and task.outcome == "remove"
    assert entry.removed_on == timezone.localdate() and entry.valid_until < entry.removed_on
    assert "家庭人均收入超过认定标准" in entry.removal_reason
    page = client.get(reverse("web:lowincome_rechecks")).content.decode()
    assert "清退" in page and f"task-{task.pk}" in page


def test_seed_plan_4_3_household_above_the_line_is_not_recognized(client, people, household):
    """年审 plan 四(三)1 "在当地最低生活保障标准1.5倍以内": above the line, without rigid expenditure, the
    opinion is not to recognize; no notice, the decision is 不予认定 and no register entry appears."""
    standard, multiplier = _line(household)
    wage = (standard * (multiplier + Decimal("0.5")) * 2).quantize(Decimal("1"))
    case = _walk_to_opinion(client, people, household, wage)
    review = case.records.filter(kind="review").latest("id").data
    assert review["opinion"] == "deny" and review["reasons"]
    resp = client.post(reverse("web:case_action", args=[case.pk, "publish_notice"]), {"version": case.version})
    assert resp.status_code == 409
    case = _act(client, case, "forward_denial")
    client.force_login(people["reviewer"])
    resp = client.post(reverse("web:case_action", args=[case.pk, "recognize"]), {"version": case.version})
    assert resp.status_code == 409 and "不予认定" in resp.content.decode()
    case = _act(client, case, "reject", {"meeting_date": "2026-12-01", "members_present": "周组长\n吴委员\n郑委员",
                                         "reasons": "家庭人均收入超过低保标准1.5倍"})
    assert case.state == "rejected"
    assert not LowIncomeEntry.objects.filter(household=household).exists()
    docs = contexts(case, timezone.localdate())  # the case's documents build (不予批准决定书 with its basis)
    assert "刚性支出困难家庭认定办法" in docs["denial_letter"].denial.legal_basis


def test_seed_plan_4_3_rigid_expenditure_household_is_recognized_as_zhichuxing(client, people, household):
    """年审 plan 四(三)1 "存在重大刚性支出的，可进一步识别为支出型贫困家庭" — above the edge line, but medical
    costs of the last 12 months beyond the province's ratio (rigid.expenditure_ratio) of the income."""
    standard, multiplier = _line(household)
    wage = (standard * (multiplier + Decimal("0.2")) * 2).quantize(Decimal("1"))
    case = _walk_to_opinion(client, people, household, wage, medical=str(wage * 12))
    review = case.records.filter(kind="review").latest("id").data
    assert review["opinion"] == "grant" and review["category"] == "rigid_expenditure", review
    assert any("R-LI-03" == step.get("rule") for step in review["trace"]) or review["rigid"]


def test_start_errors_show_next_to_their_field_and_create_nothing(client, people, household):
    client.force_login(people["caseworker"])
    resp = _start(client, household, source="guess")
    assert resp.status_code == 422
    assert "认定来源无效" in field_error(resp.content.decode(), "source")
    resp = _start(client, household, source="referral", source_note="")
    assert resp.status_code == 422
    assert "来源说明" in field_error(resp.content.decode(), "source_note")
    resp = client.post(reverse("web:lowincome_start"), {"household": "H-not-a-number", "source": "application"})
    assert resp.status_code == 404 or "不是家庭编号" in resp.content.decode()
    assert not Case.objects.filter(program="lowinc").exists()


def test_outsider_township_cannot_start_see_remove_or_recheck(client, people, household):
    """Scope: the 经办人 of township B attacks township A's household, entry and task."""
    client.force_login(people["caseworker"])
    assert _start(client, household).status_code == 302
    case = Case.objects.get(program="lowinc", household=household)
    entry = LowIncomeEntry.objects.create(household=household, region_id=household.region_id, category="edge",
                                          recognized_on=date(2026, 6, 1), valid_until=date(2027, 5, 31),
                                          created_at=timezone.now())
    client.force_login(people["outsider"])
    resp = _start(client, household)
    assert resp.status_code == 422 or resp.status_code == 404
    assert Case.objects.filter(program="lowinc").count() == 1
    assert client.get(reverse("web:case_detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("web:case_action", args=[case.pk, "request_verification"]),
                       {"version": case.version}).status_code == 404
    home = client.get(reverse("web:lowincome_home")).content.decode()
    assert household.number not in home and case.number not in home
    assert client.post(reverse("web:lowincome_remove", args=[entry.pk]), {"reason": "other", "note": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.removed_on is None


def test_discovery_lists_a_refused_dibao_household_and_starts_from_it(client, people, household):
    """年审 plan 四(三)2 "主动发现": a household whose dibao application was refused is offered, with the case."""
    from .test_cases_support import act, case_in

    case = case_in(people, household, "awaiting_confirmation")
    act(people["reviewer"], case, "reject", {"meeting_date": "2026-12-01", "members_present": ["周组长", "吴委员", "郑委员"],
                                              "reasons": ["人均收入超过低保标准"]})
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:lowincome_home")).content.decode()
    assert "低保申请未获批准或核对不符" in page and case.number in page
    resp = _start(client, household, source="denied_dibao", source_note=f"最低生活保障申请不予批准（{case.number}）")
    assert resp.status_code == 302
    started = Case.objects.get(program="lowinc", household=household)
    assert started.records.get(kind="intake").data["source"] == "denied_dibao"
    assert case.number not in client.get(reverse("web:lowincome_home")).content.decode().split('id="discovery"')[1] \
        .split('id="open-cases"')[0]


def test_manual_removal_requires_a_reason(client, people, household):
    entry = LowIncomeEntry.objects.create(household=household, region_id=household.region_id, category="edge",
                                          recognized_on=date(2026, 6, 1), valid_until=date(2027, 5, 31),
                                          created_at=timezone.now())
    client.force_login(people["caseworker"])
    url = reverse("web:lowincome_remove", args=[entry.pk])
    assert client.get(url).status_code == 200
    resp = client.post(url, {"reason": "other", "note": ""})
    assert resp.status_code == 422 and field_error(resp.content.decode(), "note")
    entry.refresh_from_db()
    assert entry.removed_on is None
    assert client.post(url, {"reason": "enrolled"}).status_code == 302
    entry.refresh_from_db()
    assert entry.removed_on == timezone.localdate() and entry.removal_reason == "已纳入低保或特困供养"
    assert client.post(url, {"reason": "enrolled"}).status_code == 409


@pytest.mark.parametrize("role", ["village", "reviewer"])
def test_other_roles_cannot_remove(client, people, household, role):
    entry = LowIncomeEntry.objects.create(household=household, region_id=household.region_id, category="edge",
                                          recognized_on=date(2026, 6, 1), created_at=timezone.now())
    client.force_login(people[role])
    resp = client.post(reverse("web:lowincome_remove", args=[entry.pk]), {"reason": "enrolled"})
    if role == "reviewer":
        assert resp.status_code == 403
    entry.refresh_from_db()
    assert (entry.removed_on is None) == (role == "reviewer")


def test_demo_starts_one_recognition_from_the_discovery_list(people, household, settings, tmp_path):
    """The demo county shows the procedure: one recognition started from 主动发现, once."""
    from jiuzhu.apps.accounts.models import User
    from jiuzhu.apps.synthetic.demo_lowincome import demo_lowincome_load

    from .test_cases_support import act, case_in

    User.objects.filter(pk=people["caseworker"].pk).update(username="township")
    case = case_in(people, household, "verified")
    act(people["caseworker"], case, "notify_ineligible", {"reason": "核对发现存款超过限额"})
    started = demo_lowincome_load()
    assert started is not None and started.program == "lowinc" and started.state == "submitted"
    assert started.records.get(kind="intake").data["source"] == "denied_dibao"
    assert demo_lowincome_load() is None
