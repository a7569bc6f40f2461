"""Annual review pages: start (county), progress with a chart per township, summary; scope."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry.services import household_create
from jiuzhu.apps.reviews.models import ReviewCampaign
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.conftest import AS_OF, COUNTY, TOWNSHIP_A, VILLAGE_B
from tests.jobs_helpers import run_jobs

from .helpers import field_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(caseworker, outsider, household_data):
    a = [make_enrollment(household_create(actor=caseworker, data=household_data(), as_of=AS_OF)) for _ in range(2)]
    b = make_enrollment(household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF))
    return a + [b]


def test_county_starts_a_review_and_sees_progress_with_a_chart(client, county_user, enrolled):
    client.force_login(county_user)
    page = client.get(reverse("web:review_list")).content.decode()
    assert 'id="start-form"' in page and "千岛湖镇" in page
    response = client.post(reverse("web:review_list"), {"region": COUNTY, "year": "2027", "due": ""})
    # the start is queued as a background job; when it has run, the list page links to the campaign
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:review_list") + "?job=")
    assert run_jobs() == 1
    campaign = ReviewCampaign.objects.get()
    detail = reverse("web:review_detail", args=[campaign.pk])
    assert f'href="{detail}"' in client.get(response["Location"]).content.decode()
    page = client.get(detail).content.decode()
    assert "2027 年度年审" in page and 'id="township-chart"' in page and "vendor/echarts/echarts.min.js" in page
    data = json.loads(unescape(re.search(r'id="township-chart-data"[^>]*>(.*?)</script>', page, re.S).group(1)))
    assert data["categories"] == ["千岛湖镇", "文昌镇"]
    assert {s["name"]: s["data"] for s in data["series"]}["办理中"] == [2, 1]
    assert 'id="progress-table"' in page and 'id="summary-table"' in page and "最低生活保障" in page
    # starting again from the form adds nothing
    client.post(reverse("web:review_list"), {"region": COUNTY, "year": "2027"})
    assert run_jobs() == 1 and Case.objects.count() == 3


def test_start_form_errors_by_field(client, county_user, enrolled):
    client.force_login(county_user)
    response = client.post(reverse("web:review_list"), {"region": COUNTY, "year": "20x7"})
    assert response.status_code == 422 and "年度应为四位数字" in field_error(response.content.decode(), "year")
    response = client.post(reverse("web:review_list"), {"region": COUNTY, "year": "2027", "due": "2027-13-01"})
    assert response.status_code == 422 and "YYYY-MM-DD" in field_error(response.content.decode(), "due")
    response = client.post(reverse("web:review_list"), {"region": "330102000000", "year": "2027"})
    assert response.status_code == 404 and "不在您的管辖范围内" in response.content.decode()
    assert not ReviewCampaign.objects.exists()


def test_township_staff_see_their_part_and_cannot_start(client, county_user, caseworker, outsider, enrolled):
    client.force_login(county_user)
    client.post(reverse("web:review_list"), {"region": COUNTY, "year": "2027"})
    run_jobs()
    campaign = ReviewCampaign.objects.get()
    client.force_login(outsider)
    page = client.get(reverse("web:review_list")).content.decode()
    assert "2027 年度" in page and 'id="start-form"' not in page
    page = client.get(reverse("web:review_detail", args=[campaign.pk])).content.decode()
    assert "文昌镇" in page and "township-330127100000" not in page
    response = client.post(reverse("web:review_list"), {"region": TOWNSHIP_A, "year": "2027"})
    assert response.status_code == 403
    client.force_login(caseworker)
    page = client.get(reverse("web:review_detail", args=[campaign.pk])).content.decode()
    assert f"township-{TOWNSHIP_A}" in page and "township-330127101000" not in page


def test_a_recheck_case_page_offers_its_steps_and_shows_its_records(client, caseworker, county_user, reviewer,
                                                                   household):
    from datetime import date

    from tests.apps.reviews.recheck_flow import to_surveyed

    people = {"caseworker": caseworker, "county": county_user}
    case, d = to_surveyed(people, make_enrollment(household), date(2026, 12, 1))
    client.force_login(caseworker)
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "已入户调查" in page and reverse("web:case_action", args=[case.pk, "recheck_review"]) in page
    form = client.get(reverse("web:case_action", args=[case.pk, "recheck_review"])).content.decode()
    assert "继续保障（不变）" in form and "就业使家庭人均收入超过标准" in form
    response = client.post(reverse("web:case_action", args=[case.pk, "recheck_review"]),
                           {"outcome": "graduate", "version": case.version})
    assert response.status_code == 422 and "渐退原因" in field_error(response.content.decode(), "graduation_reason")
    response = client.post(reverse("web:case_action", args=[case.pk, "recheck_review"]),
                           {"outcome": "adjust", "version": case.version})
    assert response.status_code == 302
    client.force_login(reviewer)
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "复核意见" in page and "调整保障金或分类" in page
    assert reverse("web:case_action", args=[case.pk, "decide"]) in page


def test_issue12_county_page_shows_township_average_benefit_against_the_floor(client, county_user, caseworker,
                                                                              household_data):
    import time_machine

    # given 千岛湖镇 with two rural households of 2 persons paid 800 and 600: 1400 ÷ 4 = 350 < 355
    make_enrollment(household_create(actor=caseworker, data=household_data(), as_of=AS_OF), amount="800.00")
    make_enrollment(household_create(actor=caseworker, data=household_data(), as_of=AS_OF), amount="600.00")
    client.force_login(county_user)
    with time_machine.travel("2026-12-07 10:00 +0800", tick=False):
        client.post(reverse("web:review_list"), {"region": COUNTY, "year": "2027"})
        run_jobs()
        campaign = ReviewCampaign.objects.get()
        # when
        page = client.get(reverse("web:review_detail", args=[campaign.pk])).content.decode()
    # then
    row = re.search(rf'id="floor-{TOWNSHIP_A}-rural">(.*?)</tr>', page, re.S).group(1)
    assert "千岛湖镇" in row and "农村" in row and "350.00" in row and "355.00" in row and "低于下限" in row
    assert "社会救助年审工作方案" in unescape(row)  # the floor's source
