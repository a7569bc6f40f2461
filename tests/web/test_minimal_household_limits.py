"""A 临时登记 record's household page offers only what applies to it (issue 14 loose end): no 发起申请
(低保/特困) and no 支出型 临时救助 — the reasons are shown instead, and the services refuse both with the
same words (nothing written); another township's record stays out of reach."""

from __future__ import annotations

import pytest

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.registry.models import Household
from jiuzhu.rules.errors import Conflict
from tests.conftest import PASSWORD

from .test_temporary_person_page import URL, _form

pytestmark = pytest.mark.django_db


def _minimal(client, caseworker) -> Household:
    client.login(username=caseworker.username, password=PASSWORD)
    assert client.post(URL, _form()).status_code == 302
    return Household.objects.get(minimal=True)


def test_page_shows_what_applies_with_reasons(client, caseworker):
    hh = _minimal(client, caseworker)
    page = client.get(f"/households/{hh.pk}/").content.decode()
    assert 'id="apply-button"' not in page
    assert 'id="temporary-button"' in page and "急难型临时救助" in page
    assert 'id="minimal-limits"' in page and "不能直接申请低保或特困供养" in page and "只能登记急难型临时救助" in page
    assert 'id="intake-button"' in page  # 一门受理 applies to a person record too
    form = client.get(f"/households/{hh.pk}/temporary/").content.decode()
    assert 'id="minimal-note"' in form


def test_registered_household_keeps_its_buttons(client, caseworker, household):
    client.login(username=caseworker.username, password=PASSWORD)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert 'id="apply-button"' in page and 'id="minimal-limits"' not in page


def test_expenditure_on_minimal_record_refused_nothing_written(client, caseworker):
    hh = _minimal(client, caseworker)
    before = Case.objects.count()
    r = client.post(f"/households/{hh.pk}/temporary/", {
        "kind": "expenditure", "category": "medical", "circumstance": "住院自付费用高", "occurred_on": "2026-11-20",
        "need": "3000", "applicant": str(hh.head_id), "place_region": hh.region_id})
    assert r.status_code == 409
    assert "只能登记急难型临时救助" in r.content.decode()
    assert Case.objects.count() == before


def test_application_on_minimal_record_refused(client, caseworker):
    hh = _minimal(client, caseworker)
    with pytest.raises(Conflict) as exc:
        case_submit(actor=caseworker, program="dibao", household_id=hh.pk, applicant_id=hh.head_id,
                    channel="window", payload={}, now=Case.objects.get().submitted_at)
    assert exc.value.code == "case.minimal_household" and "须先按户籍登记其家庭" in exc.value.message
    r = client.post(f"/households/{hh.pk}/apply/", {"program": "dibao", "applicant": str(hh.head_id),
                                                    "channel": "window"})
    assert r.status_code in (409, 422) and Case.objects.count() == 1


def test_another_townships_minimal_record_is_not_found(client, caseworker, outsider):
    hh = _minimal(client, caseworker)
    client.logout()
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(f"/households/{hh.pk}/").status_code == 404
    assert client.post(f"/households/{hh.pk}/temporary/", {"kind": "emergency"}).status_code == 404
