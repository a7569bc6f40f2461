"""不予受理 on the case page (issue 20 §1, 年审 plan 三(2)一): the form asks for the reasons one per line,
an empty form is refused next to the field, and the 不予受理告知书 is then among the case's documents."""

from datetime import date

import pytest

from jiuzhu.apps.cases.models import Case
from tests.apps.cases.flow import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker, household):
    return submit(caseworker, household, day=date(2026, 12, 1))


def test_refuse_acceptance_from_the_case_page(client, caseworker, outsider, case):
    url = f"/cases/{case.pk}/actions/refuse_acceptance/"
    client.force_login(caseworker)
    assert "不予受理" in client.get(f"/cases/{case.pk}/").content.decode()
    form = client.get(url)
    assert form.status_code == 200 and "不予受理理由" in form.content.decode()
    empty = client.post(url, {"reasons": "", "version": case.version})
    assert empty.status_code == 422 and "不予受理理由" in empty.content.decode()
    assert Case.objects.get(pk=case.pk).state == "submitted"
    client.force_login(outsider)
    assert client.post(url, {"reasons": "户籍不在本乡镇", "version": case.version}).status_code == 404
    client.force_login(caseworker)
    done = client.post(url, {"reasons": "户籍不在本乡镇\n未签署委托授权书", "version": case.version})
    assert done.status_code == 302 and Case.objects.get(pk=case.pk).state == "not_accepted"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已提交 → 不予受理" in page and "户籍不在本乡镇；未签署委托授权书" in page
    # the letter itself is one of the case's documents (the case page's document list reads the same contexts)
    from jiuzhu.apps.cases.document_services import case_documents_available

    kinds = [d["kind"] for d in case_documents_available(actor=caseworker, case_id=case.pk, now=case.submitted_at)]
    assert kinds[-1] == "non_acceptance_notice"
