"""The register of staff near relatives in the browser (issue 15 §4): declare with field errors, the list
and matches in scope with masked numbers only, the county's upload (bad file refused on the page, preview
job), the case page's banner and the recusal shown as disabled actions, and 403 from the API."""

from __future__ import annotations

from html import unescape

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.accounts.tokens import token_create
from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.integrity.relatives_models import StaffRelative
from jiuzhu.apps.registry.pii import open_
from tests.apps.enrollment.ledger_helpers import write_xlsx
from tests.apps.integrity.conftest import T0
from tests.bad_files import BAD_KINDS, CHINESE, EXPECTED, bad_content, files_under, table_counts, xlsx_bytes
from tests.conftest import TOWNSHIP_A, _user, bad_check_digit, make_id
from tests.jobs_helpers import run_jobs
from tests.web.helpers import field_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(household):
    return open_(household.head.id_number_enc, purpose="id_number")


def _declare(client, user, number, **over):
    client.force_login(user)
    return client.post(reverse("web:relative_list"), {"name": "张建国", "relation": "sibling", "id_number": number,
                                                      **over})


def test_declare_then_the_list_and_matches_show_masked_numbers_only(client, caseworker, county_user, household, head):
    bad = _declare(client, caseworker, bad_check_digit(head))
    assert bad.status_code == 422 and "校验位" in field_error(bad.content.decode(), "id_number")
    assert not StaffRelative.objects.exists()
    assert _declare(client, caseworker, head).status_code == 302
    page = client.get(reverse("web:relative_list")).content.decode()
    assert "张建国" in page and head not in page and head[:4] + "**********" + head[-4:] in page
    client.force_login(county_user)
    matches = client.get(reverse("web:relative_matches"), {"township": TOWNSHIP_A}).content.decode()
    assert 'id="matches-table"' in matches and "caseworker_a" in matches and head not in matches


def test_another_township_sees_none_of_it(client, caseworker, outsider, household, head):
    _declare(client, caseworker, head)
    client.force_login(outsider)
    assert "张建国" not in client.get(reverse("web:relative_list")).content.decode()
    assert 'id="matches-table"' not in client.get(reverse("web:relative_matches")).content.decode()
    entry = StaffRelative.objects.get()
    assert client.post(reverse("web:relative_remove", args=[entry.pk])).status_code == 404
    assert StaffRelative.objects.get().removed_at is None


def test_the_county_upload_refuses_a_bad_file_and_previews_a_good_one(client, county_user, caseworker, tmp_path):
    client.force_login(county_user)
    bad = client.post(reverse("web:relative_upload"),
                      {"file": SimpleUploadedFile("r.xlsx", "工作人员账号\n".encode("utf-16"))})
    assert bad.status_code == 422 and "UTF-16" in bad.content.decode()
    number = make_id(male=False)
    path = write_xlsx(tmp_path / "r.xlsx", [{"工作人员账号": caseworker.username, "近亲属姓名": "王芳", "关系": "配偶",
                                            "身份证号": number}],
                      headers=("工作人员账号", "近亲属姓名", "关系", "身份证号"))
    with open(path, "rb") as fh:
        queued = client.post(reverse("web:relative_upload"), {"file": fh, "dry_run": "on"})
    assert queued.status_code == 302
    assert run_jobs() == 1 and not StaffRelative.objects.exists()
    page = client.get(queued["Location"]).content.decode()
    assert 'id="import-preview"' in page and "王*" in page and number not in page
    # a township caseworker may not upload
    client.force_login(caseworker)
    assert client.post(reverse("web:relative_upload")).status_code == 403


def test_the_case_page_and_the_api_refuse_the_relatives_staff(client, caseworker, household, head):
    colleague = _user("caseworker_a2", Role.CASEWORKER, TOWNSHIP_A)
    case = case_submit(actor=colleague, program="dibao", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", payload={"id_checked": True, "authorization_signed": True}, now=T0)
    _declare(client, caseworker, head)
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'id="relatives-banner"' in page and "您应当回避" in page and 'id="relatives-unfiled"' in page
    assert 'id="blocked-request_verification"' in page and "不能办理本案" in page
    _, raw = token_create(user=caseworker)
    refused = client.post(f"/api/v1/cases/{case.pk}/actions/request_verification", data={},
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused.status_code == 403 and refused.json()["code"] == "case.own_relative"
    client.force_login(colleague)
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'id="relatives-banner"' in page and 'id="blocked-request_verification"' not in page


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_every_bad_file_is_refused_on_the_page_and_nothing_is_written(client, county_user, kind):
    client.force_login(county_user)
    text = "工作人员账号,近亲属姓名,关系,身份证号\nx,王芳,配偶,1\n"
    good = xlsx_bytes([r.split(",") for r in text.splitlines()])
    before, files = table_counts(), files_under(settings.JIUZHU_FILES_DIR)
    response = client.post(reverse("web:relative_upload"),
                           {"file": SimpleUploadedFile(f"bad_{kind}.xlsx", bad_content(kind, "xlsx", good, text))})
    main = unescape(response.content.decode()).split("<main", 1)[-1]
    assert 400 <= response.status_code < 500 and CHINESE.search(main) and EXPECTED[kind].search(main), main[:800]
    assert table_counts() == before and files_under(settings.JIUZHU_FILES_DIR) == files


def test_the_inspector_reads_the_register_but_cannot_declare(client, caseworker, inspector, household, head):
    _declare(client, caseworker, head)
    client.force_login(inspector)
    page = client.get(reverse("web:relative_list")).content.decode()
    assert 'id="relatives-table"' in page and 'id="declare-form"' not in page and head not in page
    refused = client.post(reverse("web:relative_list"), {"name": "王芳", "relation": "spouse", "id_number": head})
    assert refused.status_code == 403 and StaffRelative.objects.count() == 1
