"""Issue 12 §3.8: the case page shows the rules' 单人户施保 (R-HH-06) where the proposal is shown, and the
initial-review form's preview says who would be enrolled alone and for how much."""

from datetime import date

import pytest
from django.urls import reverse

from tests.apps.cases.flow import to_reviewed, to_surveyed
from tests.apps.cases.test_single_person import edge_household  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


@pytest.fixture
def people(caseworker, reviewer, county_user, village_user, outsider):
    return {"caseworker": caseworker, "reviewer": reviewer, "county": county_user, "village": village_user,
            "outsider": outsider}


def test_case_page_shows_the_single_person_enrollment_with_the_proposal(client, people, edge_household):
    # given a reviewed dibao case of an edge household whose disabled member is enrolled alone
    case, _ = to_reviewed(people, edge_household, DAY)
    [single] = case.proposal["result"]["single_person_enrollments"]
    # when the caseworker opens the case page
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    # then the proposal says who is enrolled alone and for how much
    section = page[page.index('id="proposal"'):]
    assert "单人户施保" in section and "李秀英" in section and f"月保障金 {single['monthly_amount']} 元" in section
    # and the initial review's record names her too (not a raw data structure)
    assert f"李秀英 {single['monthly_amount']} 元" in page and "&#x27;member&#x27;" not in page


def test_initial_review_form_previews_the_single_person_enrollment(client, people, edge_household):
    # given the surveyed edge household
    case, _ = to_surveyed(people, edge_household, DAY)
    # when the caseworker opens the initial review form
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:case_action", args=[case.pk, "initial_review"])).content.decode()
    # then the preview names her as 单人户施保, and the form offers the choice
    assert 'id="single-persons"' in page and "李秀英" in page and "单人户施保" in page
    assert 'name="single_person"' in page
