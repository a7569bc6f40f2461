"""Case pages render for the right roles: workbench (tasks, counts, 督办), case list, case page."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.cases.jobs import cases_mark_overdue
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry.services import household_create
from tests.conftest import AS_OF, VILLAGE_A2

from .test_cases_support import act, case_in, people, submit  # noqa: F401  (people is a fixture)


def _household(actor, household_data, name, **kw):
    data = household_data(**kw)
    data["members"][0]["name"] = name
    return household_create(actor=actor, data=data, as_of=AS_OF)


def test_workbench_lists_tasks_by_due_date_with_overdue_red_and_due_today(client, people, household, household_data):
    # given two submitted cases: one due today, one overdue
    other = _household(people["caseworker"], household_data, "王大山")
    due_today = submit(people["caseworker"], household)
    late = submit(people["caseworker"], other)
    today = timezone.localdate()
    Case.objects.filter(pk=due_today.pk).update(next_due=today)
    Case.objects.filter(pk=late.pk).update(next_due=today - timedelta(days=2), overdue=True)
    client.force_login(people["caseworker"])
    # when the caseworker opens the workbench
    page = client.get(reverse("web:workbench")).content.decode()
    # then the overdue task comes first, in red, and the one due today is highlighted
    assert page.index(late.number) < page.index(due_today.number)
    assert 'class="task overdue"' in page and 'class="task due-today"' in page and "今天到期" in page
    assert "提请核对" in page  # the step that is due
    # and the open cases are counted per state
    assert "已提交" in page and "<strong>2</strong>" in page
    assert 'id="supervision"' not in page  # 督办 is for county users


def test_workbench_village_assistant_sees_survey_tasks_of_the_village(client, people, household):
    case = case_in(people, household, "accepted")
    client.force_login(people["village"])
    page = client.get(reverse("web:workbench")).content.decode()
    assert case.number in page and "入户调查" in page


def test_workbench_reviewer_sees_cases_awaiting_confirmation(client, people, household):
    case = case_in(people, household, "awaiting_confirmation")
    client.force_login(people["reviewer"])
    page = client.get(reverse("web:workbench")).content.decode()
    assert case.number in page and "审核确认" in page


def test_county_workbench_shows_supervision_list_with_counts_by_township(client, people, household):
    # given a case whose request_verification deadline has passed (marked by the overdue job)
    case = submit(people["caseworker"], household)
    cases_mark_overdue(today=timezone.localdate() + timedelta(days=30))
    client.force_login(people["county"])
    # when the county user opens the workbench
    page = client.get(reverse("web:workbench")).content.decode()
    # then the 督办 section lists the case and counts it under 千岛湖镇
    section = page[page.index('id="supervision"'):]
    assert "督办" in section and case.number in section
    assert "<span>千岛湖镇</span> <strong>1</strong>" in section


def test_case_list_filters_and_keyset_paging(client, people, household, household_data, monkeypatch):
    from jiuzhu.web.views import cases as views

    b = _household(people["caseworker"], household_data, "王大山", region=VILLAGE_A2)
    c = _household(people["caseworker"], household_data, "王小川")
    first = submit(people["caseworker"], household)
    second = act(people["caseworker"], submit(people["caseworker"], b), "request_verification")
    third = submit(people["caseworker"], c)
    client.force_login(people["caseworker"])
    url = reverse("web:case_list")
    page = client.get(url, {"name": "王"}).content.decode()
    assert second.number in page and third.number in page and first.number not in page
    page = client.get(url, {"state": "verifying"}).content.decode()
    assert second.number in page and first.number not in page and "核对中" in page
    page = client.get(url, {"program": "tekun"}).content.decode()
    assert "没有符合条件的案件" in page
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    page = client.get(url).content.decode()
    assert third.number in page and second.number in page and first.number not in page
    assert f"after={second.pk}" in page and "下一页" in page
    page = client.get(url, {"after": second.pk}).content.decode()
    assert first.number in page and third.number not in page and "下一页" not in page


def test_case_list_is_scoped(client, people, household):
    case = submit(people["caseworker"], household)
    client.force_login(people["outsider"])
    page = client.get(reverse("web:case_list")).content.decode()
    assert case.number not in page and "没有符合条件的案件" in page


def test_case_page_for_each_role_shows_header_deadlines_timeline_and_their_buttons(client, people, household):
    case = submit(people["caseworker"], household, has_relatives=True, relatives=[
        {"member": "张建国", "staff_name": "张村长", "staff_position": "村委会主任", "relation": "兄弟"}])
    url = reverse("web:case_detail", args=[case.pk])
    expected = {"caseworker": ["提请核对", "撤回申请", "终止审核"], "village": [], "reviewer": [], "county": []}
    for persona, buttons in expected.items():
        client.force_login(people[persona])
        resp = client.get(url)
        page = resp.content.decode()
        assert resp.status_code == 200, persona
        assert case.number in page and "最低生活保障" in page and "已提交" in page and "张建国" in page
        assert household.number in page and reverse("web:household_detail", args=[household.pk]) in page
        assert 'id="relative-badge"' in page and "近亲属备案" in page
        assert "办理时限" in page and "提请核对" in page  # the request_verification deadline
        assert "提交申请" in page  # timeline
        for label in buttons:
            assert f">{label}</a>" in page, (persona, label)
        if not buttons:
            assert "您当前没有可办理的操作" in page, persona
        assert "延长办理时限</a>" not in page  # the overall clock has not started yet


def test_case_page_after_review_shows_proposal_trace_and_records(client, people, household):
    case = case_in(people, household, "in_notice")
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "规则测算（初审）" in page and "R-DB-02" in page and "R-DB-03" in page
    for title in ("家庭经济状况核对报告", "入户调查", "初审意见", "受理"):
        assert title in page, title
    assert "砖混住房两间" in page and "王经办、陈协理" in page and "拟批准" in page
    assert "初审公示" in page and "公示中" in page
    assert ">公示期满</a>" not in page  # close_notice only after the 7 days


def test_overdue_case_shows_badge(client, people, household):
    case = submit(people["caseworker"], household)
    cases_mark_overdue(today=timezone.localdate() + timedelta(days=30))
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'id="overdue-badge"' in page and "已逾期" in page


def test_household_page_offers_apply_to_submitters_only(client, people, household):
    case = submit(people["caseworker"], household)
    url = reverse("web:household_detail", args=[household.pk])
    for persona, offered in (("caseworker", True), ("village", True), ("reviewer", False), ("county", False)):
        client.force_login(people[persona])
        page = client.get(url).content.decode()
        assert ("发起申请" in page) is offered, persona
        assert case.number in page, persona
    client.force_login(people["reviewer"])
    resp = client.get(reverse("web:case_new", args=[household.pk]))
    assert resp.status_code == 403 and "您的角色不能提交申请" in resp.content.decode()
