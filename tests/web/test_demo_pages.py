"""The demo shows every feature (issue 13 §4): loaded as ``jiuzhu demo`` loads it, every page of each
demo login's navigation (and the administrator's 系统管理 pages) answers 200 with data, none with its
"nothing here" text."""

from __future__ import annotations

import re

import pytest

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.synthetic.demo import DEMO_USERS, demo_load
from jiuzhu.apps.synthetic.demo_world import demo_world_load

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# What a page says when it has nothing to show (the templates' empty states).
EMPTY = ("暂无发放批次", "暂无后台任务", "暂无年审", "暂无在办案件", "没有符合条件的", "没有审计事件", "没有核对报告",
         "尚未签发令牌", "尚无标准调整", "尚未在本页校验过", "尚未计算统计", "没有逾期案件")
# Payroll batches are the county's (one a month): the township's 发放 page lists none of them.
KNOWN_EMPTY = {("township", "/payroll/"), ("township_lead", "/payroll/")}
# A page shows data: a table with rows, a list of counts, cards or a chart's table.
DATA = re.compile(r'<tbody[^>]*>\s*<tr|<ul class="counts"|<li class="card"|<p class="big"|id="verify-result"')


def _main(html: str) -> str:
    match = re.search(r'<main class="main">(.*)</main>', html, re.S)
    assert match, html[:500]
    return match.group(1)


def _nav(html: str) -> list[str]:
    nav = re.search(r'<nav class="nav" aria-label="主导航">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'href="(/[^"#?]*)"', nav)


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    demo_load()
    return demo_world_load()


def _pages(client, username: str) -> dict[str, str]:
    client.force_login(User.objects.get(username=username))
    home = client.get("/")
    assert home.status_code == 200
    urls = _nav(home.content.decode())
    for url in list(urls):
        if url == "/system/":
            urls += [u for u in re.findall(r'<li class="card"><h2><a href="(/[^"]+)"', client.get(url).content.decode())
                     if u not in urls]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
        pages[url] = _main(response.content.decode())
    client.logout()
    return pages


def test_every_page_of_every_demo_login_shows_data(client, demo):
    assert demo is not None and demo["cases"] >= 40
    seen = {}
    problems = []
    for username, *_ in DEMO_USERS:
        pages = _pages(client, username)
        seen[username] = pages
        for url, main in pages.items():
            if (username, url) in KNOWN_EMPTY:
                continue
            empty = [text for text in EMPTY if text in main]
            if empty or not DATA.search(main):
                problems.append((username, url, empty))
    assert problems == [], problems
    # each login sees the pages of its role
    assert set(seen["village"]) == {"/", "/cases/", "/households/", "/enrollments/", "/care/", "/alerts/register/",
                                    "/lowincome/", "/relatives/"}
    assert {"/payroll/", "/dashboard/", "/jobs/", "/audit/", "/data/", "/system/standards/"} <= set(seen["county"])
    assert {"/system/users/", "/system/tokens/", "/system/settings/", "/system/audit/", "/calendar/"} <= set(seen["admin"])
    assert "演示数据" in seen["county_checker"]["/system/standards/"]  # the proposed standard awaiting approval
    assert "/system/audit/" in seen["inspector"] and "/system/users/" not in seen["inspector"]
    # what the extra demo data put there
    assert "重新计算月度统计" in seen["county_checker"]["/jobs/"] and "导出 Excel" in seen["township"]["/jobs/"]
    assert "审计日志完整" in seen["inspector"]["/system/audit/"] and "审计日志完整" in seen["admin"]["/system/audit/"]
    assert "演示：乡镇业务系统对接" in seen["admin"]["/system/tokens/"]
    assert "低保边缘" in seen["village"]["/alerts/register/"]
    # overdue cases in the county's 督办 list; a case in notice and one awaiting confirmation in the lead's work
    assert 'id="overdue-by-township"' in seen["county"]["/"]
    assert "公示" in seen["township"]["/cases/"] and "待审核确认" in seen["township_lead"]["/"]
    # and the login page names the system and the demo county's bureau
    login = client.get("/login/").content.decode()
    assert "救助 · 社会救助经办平台" in login and "淳安县民政局" in login


def test_pilot_report_opens_on_the_demo_draft(client, demo):
    """The pilot evaluation report (linked from the dashboard, not in the main navigation) shows the
    demo county's saved draft with the figures of its months."""
    client.force_login(User.objects.get(username="county"))
    main = _main(client.get("/dashboard/pilot-report/").content.decode())
    assert "草稿保存于" in main and "审核确认权已下放到各乡镇" in main and DATA.search(main)
    assert main.count("<svg") >= 8
