"""Plain language on the case page (issue 13 §1): members by name in the calculation, each step's
legal basis behind a 依据 disclosure, staff by full name and post, audit actions in Chinese."""

import re

import pytest
from django.urls import reverse

from jiuzhu.web.case_trace import trace_rows

from .test_cases_support import case_in, people  # noqa: F401  (people is a fixture)

pytestmark = pytest.mark.django_db


def _section(html: str, anchor: str, end: str) -> str:
    start = html.index(anchor)
    return html[start:html.index(end, start)]


def test_trace_names_members_and_hides_rule_ids_behind_the_basis(client, people, household):
    # given a case the caseworker has reviewed (the rules' proposal is on the case)
    case = case_in(people, household, "reviewed")
    ids = [m.person_id for m in household.memberships.all()]
    assert any(f"成员 {pk}" in str(case.proposal) for pk in ids)  # the engine's trace cites ids
    client.force_login(people["caseworker"])
    # when the case page is opened
    html = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    trace = _section(html, 'id="trace"', "</details>\n</section>")
    # then members are named, never "成员 <database id>"
    assert "张建国" in trace and "李秀英" in trace
    assert not any(f"成员 {pk}" in trace for pk in ids)
    # and every step has a 依据 disclosure with the document title and article, the rule ID inside it
    steps = trace.count('<tr><td data-label="测算步骤">')
    assert steps > 3 and trace.count('<details class="basis"><summary>依据</summary>') == steps
    assert "《社会救助暂行办法》（国务院令第649号）第九条" in trace
    assert re.search(r'规则编号 <span class="mono">R-DB-01</span>', trace)
    # and the demo county's unverified parameters are named with their sources, not listed as raw keys
    assert "参数及出处见“依据”" in trace and "income.employment_deduction_rate、" not in trace
    assert "就业成本扣除比例" in trace and "示例值，待核实" in trace and "demo value" not in trace
    # the standard's source is named by its document and article, the policy by its name, not its file
    assert "杭州市民政局、杭州市财政局《关于调整最低生活保障等社会救助标准的通知》第一条" in trace
    assert "政策“淳安县参数”" in trace and "政策 330127000000" not in html


def test_trace_rows_map_parameter_keys_to_names_and_sources():
    step = {"rule": "PARAM", "value": "示例值，待核实",
            "step": "注意：政策 330127000000 中以下 2 项参数为示例值，待核实，不得作为正式决定依据："
                    "dibao.tiers.2.amount_ratio、graduation.months.employment_income"}
    [row] = trace_rows([step], policy="330127000000", as_of="2026-12-07")
    assert "dibao.tiers" not in row["step"]
    assert [p["label"] for p in row["params"]] == ["第2档保障比例", "渐退期（月）：employment_income"]
    assert "S2 第33条" in row["params"][1]["source"]
    # an unknown policy or key still shows the key, never fails
    [row] = trace_rows([step], policy="nope", as_of="bad")
    assert row["params"][0]["source"] == "未注明出处"


def test_timeline_and_records_show_full_name_and_post(client, people, household):
    # given a caseworker with a name and a post, and a county user with a name but no post
    cw, county = people["caseworker"], people["county"]
    cw.display_name, cw.post = "李经办", "千岛湖镇社会救助经办人"
    cw.save()
    county.display_name = "赵县民政"
    county.save()
    case = case_in(people, household, "verified")
    client.force_login(cw)
    html = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    timeline = _section(html, 'id="timeline"', "</ol>")
    # then the timeline names people (the role stands in for a missing post), never the usernames
    assert "李经办（千岛湖镇社会救助经办人）" in timeline and "赵县民政（县民政）" in timeline
    assert cw.username not in timeline and county.username not in timeline


def test_a_user_without_name_or_post_falls_back_to_username_and_role(caseworker):
    caseworker.display_name = ""
    assert caseworker.staff_label == "caseworker_a（乡镇经办人）"


def test_audit_page_shows_case_actions_in_chinese(client, people, household, inspector):
    case_in(people, household, "verified")
    client.force_login(inspector)
    html = client.get(reverse("web:audit_list")).content.decode()
    table = html.split('id="audit-table"')[1]
    assert "提交申请" in table and "录入核对报告" in table and "案件" in table
    assert ">case.submit<" not in table and ">case.record_verification<" not in table
