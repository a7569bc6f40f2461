"""Case documents over the API: PDFs and the case-file ZIP, scoped and audited."""

import io
import zipfile
from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from tests.apps.cases.flow import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker, household):
    return submit(caseworker, household, day=date(2026, 12, 1))


def test_list_and_download_pdf(client, bearer, caseworker, case):
    # given the caseworker's token
    headers = bearer(caseworker)
    # when
    listed = client.get(f"/api/v1/cases/{case.pk}/documents", **headers)
    pdf = client.get(f"/api/v1/cases/{case.pk}/documents/authorization", **headers)
    # then
    assert [d["kind"] for d in listed.json()] == ["authorization", "economic_info", "application"]
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="case.document_download", subject_id=str(case.pk)).count() == 1


def test_archive_zip(client, bearer, caseworker, case):
    response = client.get(f"/api/v1/cases/{case.pk}/archive", **bearer(caseworker))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()[0] == "索引.txt"


def test_unavailable_unknown_and_other_township(client, bearer, caseworker, outsider, case):
    headers = bearer(caseworker)
    later = client.get(f"/api/v1/cases/{case.pk}/documents/denial_letter", **headers)
    assert later.status_code == 404 and "尚不能生成" in later.json()["message"]
    assert later.json()["code"] == "document.unavailable"
    # an unknown kind is "not found" too (one status for not found), with its own code and the choices
    unknown = client.get(f"/api/v1/cases/{case.pk}/documents/nonsense", **headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "document.unknown_kind"
    assert unknown.json()["details"]["field"] == "kind" and "authorization" in unknown.json()["details"]["allowed"]
    assert client.get(f"/api/v1/cases/{case.pk}/documents/{'x' * 60}", **headers).status_code == 404
    for path in (f"/api/v1/cases/{case.pk}/documents/authorization", f"/api/v1/cases/{case.pk}/archive"):
        attack = client.get(path, **bearer(outsider))
        assert attack.status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="case.", actor_name=outsider.username).exists()


def test_refuse_acceptance_over_the_api_gives_the_buyu_shouli_gaozhishu(client, bearer, caseworker, county_user,
                                                                       outsider, case):
    """年审 plan 三(2)一：对新申请对象及时出具……《县申请最低生活保障不予受理告知书》 — the action and its PDF via the API."""
    from .conftest import post_json

    headers = bearer(caseworker)
    path = f"/api/v1/cases/{case.pk}/actions/refuse_acceptance"
    # bad input: no reasons → 422 naming the field, nothing changes
    bad = post_json(client, path, {"reasons": []}, headers)
    assert bad.status_code == 422 and bad.json()["details"]["field"].startswith("reasons")
    assert post_json(client, path, {"reasons": ["户籍不在本乡镇"]}, bearer(outsider)).status_code == 404
    assert post_json(client, path, {"reasons": ["户籍不在本乡镇"]}, bearer(county_user)).status_code == 403
    ok = post_json(client, path, {"reasons": ["户籍不在本乡镇"]}, headers)
    assert ok.status_code == 200 and ok.json()["state"] == "not_accepted"
    listed = [d["kind"] for d in client.get(f"/api/v1/cases/{case.pk}/documents", **headers).json()]
    assert listed == ["authorization", "economic_info", "application", "non_acceptance_notice"]
    pdf = client.get(f"/api/v1/cases/{case.pk}/documents/non_acceptance_notice", **headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
