"""系统管理 · 政策测算 page: define a simulation, run it as a background job, see the summary, the
per-township costs, the distribution chart (json_script, no inline script), the masked and paginated
affected list, the spreadsheet, and turn it into a standard proposal; county staff only (township
staff 403), another region refused, bad input named under its field with nothing queued."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.enrollment.models import Enrollment, StandardChange
from jiuzhu.apps.enrollment.standard import region_policy
from jiuzhu.apps.jobs.models import Job
from tests.apps.enrollment.standard_helpers import enroll, hh_factory  # noqa: F401
from tests.apps.enrollment.test_simulation import START
from tests.conftest import COUNTY
from tests.jobs_helpers import run_jobs

from .helpers import field_error


def html(resp) -> str:
    return resp.content.decode()


def rural() -> Decimal:
    return Decimal(region_policy(COUNTY).lookup("dibao.standard.rural", START))


@pytest.fixture
def simulated(client, county_user, hh_factory):  # noqa: F811
    """Households around the rural standard (the first enrolled), simulated with the rural standard raised by 400 (three households enter)."""
    standard = rural()
    for i, ratio in enumerate(("0.5", "1.2", "1.25", "1.3", "1.8")):
        hh = hh_factory(incomes=(int(standard * Decimal(ratio)),) * 2)
        if i == 0:
            enroll(hh, amount="500.00", klass="C")
    client.force_login(county_user)
    resp = client.post(reverse("web:system_simulation_new"), {
        "region": COUNTY, "start_date": START.isoformat(), "p:dibao.standard.rural": str(standard + 400)})
    assert resp.status_code == 302
    job = Job.objects.get(kind="enrollment.standard_simulate")
    assert run_jobs() == 1
    return job


def test_simulation_page_shows_result_chart_list_and_xlsx(client, county_user, simulated):
    # the standards page links to the simulation
    assert reverse("web:system_simulation_new") in html(client.get(reverse("web:system_standards")))
    page = html(client.get(reverse("web:system_simulation", args=[simulated.pk])))
    simulated.refresh_from_db()
    s = simulated.result
    assert simulated.status == "succeeded" and s["counts"]["enter"] == 3
    assert f'id="count-enter">{s["counts"]["enter"]}<' in page and s["diff_year"] in page and "千岛湖镇" in page
    # the chart's data come through json_script; no inline script
    assert 'id="simulation-chart-data"' in page and "vendor/echarts/echarts.min.js" in page
    assert "<script>" not in page
    # names are masked in the list
    assert "张*" in page and "张建国" not in page.split('id="affected"')[1]
    # the filter narrows the list
    only_enter = html(client.get(reverse("web:system_simulation", args=[simulated.pk]), {"movement": "enter"}))
    assert "受影响家庭（3 户）" in only_enter
    # the spreadsheet has the summary, the townships and the masked households
    resp = client.get(reverse("web:system_simulation_xlsx", args=[simulated.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(resp.content))
    assert book.sheet_names == ["汇总", "乡镇", "受影响家庭"]
    rows = book.get_sheet_by_name("受影响家庭").to_python()
    assert len(rows) == 1 + s["affected"] and all(r[1].endswith("*") for r in rows[1:])


def test_simulation_becomes_a_proposal_in_one_click(client, county_user, simulated):
    resp = client.post(reverse("web:system_simulation_propose", args=[simulated.pk]), {"source": "淳民〔2027〕1号"})
    change = StandardChange.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("web:system_standard", args=[change.pk])
    assert (change.amount, change.start_date, change.status) == (rural() + 400, START, "proposed")
    # without a source nothing is proposed, and the page says why
    resp = client.post(reverse("web:system_simulation_propose", args=[simulated.pk]), {"source": ""}, follow=True)
    assert StandardChange.objects.count() == 1 and "出处：必填" in html(resp)


def test_township_staff_get_403_and_outsiders_see_nothing(client, caseworker, outsider, county_user, simulated):
    for user in (caseworker, outsider):
        client.force_login(user)
        assert client.get(reverse("web:system_simulation_new")).status_code == 403
        assert client.get(reverse("web:system_simulation", args=[simulated.pk])).status_code == 403
        assert client.get(reverse("web:system_simulation_xlsx", args=[simulated.pk])).status_code == 403
        assert client.post(reverse("web:system_simulation_propose", args=[simulated.pk]),
                           {"source": "x"}).status_code == 403
    assert not StandardChange.objects.exists()
    # a county user cannot simulate a region above their own
    client.force_login(county_user)
    resp = client.post(reverse("web:system_simulation_new"), {
        "region": "330100000000", "start_date": START.isoformat(), "p:dibao.standard.rural": "2000"})
    assert resp.status_code in (404, 422) and field_error(html(resp), "region")
    assert Job.objects.count() == 1


@pytest.mark.parametrize("post, field, words", [
    ({"start_date": "2027-02-30", "p:dibao.standard.rural": "2000"}, "start_date", "格式错误"),
    ({"start_date": "2027-01-01", "p:dibao.standard.rural": "-100"}, "dibao.standard.rural", "农村低保标准"),
    ({"start_date": "2027-01-01", "p:edge.multiplier": "两倍"}, "edge.multiplier", "不是有效数值"),
    ({"start_date": "2027-01-01"}, "changes", "至少填写一项"),
    ({"start_date": "2027-01-01", "region": "abc", "p:edge.multiplier": "2.5"}, "region", "不存在"),
    ({"start_date": "2027-01-01", "p:dibao.standard.rural": "1500", "p:edge.multiplier": "0"}, "edge.multiplier", "大于0"),
])
def test_bad_input_is_shown_next_to_the_field_and_queues_nothing(client, county_user, post, field, words):
    client.force_login(county_user)
    before = Enrollment.objects.count()
    resp = client.post(reverse("web:system_simulation_new"), {"region": COUNTY, **post})
    message = field_error(html(resp), field)
    assert resp.status_code == 422 and message and words in message
    assert not Job.objects.exists() and Enrollment.objects.count() == before
