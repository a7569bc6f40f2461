"""The enrollment ledger (在保对象台账) in the browser (issue 18 §1, 13 §2): an upload is imported by a
background job — all rows or none, each error by row and column on the page — and the current ledger is
downloaded masked, or in full for roles that may see the numbers (audited). Another township: 404."""

from __future__ import annotations

from html import unescape
from io import BytesIO

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.registry.models import Household
from tests.apps.enrollment.ledger_helpers import sample_rows, write_xlsx
from tests.conftest import TOWNSHIP_A, bad_check_digit
from tests.jobs_helpers import run_jobs

pytestmark = pytest.mark.django_db


def _upload(client, path, **extra):
    with open(path, "rb") as fh:
        r = client.post(reverse("web:ledger_upload"), {"file": fh, "region": TOWNSHIP_A, **extra})
    assert r.status_code == 302 and "job=" in r["Location"], unescape(r.content.decode())[:800]
    run_jobs()
    return unescape(client.get(r["Location"]).content.decode())


def test_caseworker_imports_a_ledger_through_a_job(client, caseworker, tmp_path):
    # given the township caseworker on the ledger page, linked from the enrollments page
    client.force_login(caseworker)
    assert 'id="ledger-link"' in client.get(reverse("web:enrollment_list")).content.decode()
    assert 'id="ledger-form"' in client.get(reverse("web:ledger")).content.decode()
    # when a valid ledger is uploaded and the worker runs
    html = _upload(client, write_xlsx(tmp_path / "ledger.xlsx", sample_rows()))
    # then it is imported and the page says so
    assert "导入完成：5 行，3 户、5 人、在保对象 3 个" in html
    assert Enrollment.objects.count() == 3 and Job.objects.get().status == Job.Status.SUCCEEDED


def test_one_bad_row_imports_nothing_and_the_page_names_row_and_column(client, caseworker, tmp_path):
    client.force_login(caseworker)
    rows = sample_rows()
    rows[1]["成员身份证号"] = bad_check_digit(rows[1]["成员身份证号"])
    html = _upload(client, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert 'class="job-errors"' in html and "第3行" in html and "成员身份证号" in html
    assert not Household.objects.exists() and not Enrollment.objects.exists()


def test_dry_run_checks_only(client, caseworker, tmp_path):
    client.force_login(caseworker)
    html = _upload(client, write_xlsx(tmp_path / "ledger.xlsx", sample_rows()), dry_run="on")
    assert "校验通过（未导入）" in html and not Household.objects.exists()


def test_bad_input_is_refused_on_the_page(client, caseworker):
    client.force_login(caseworker)
    r = client.post(reverse("web:ledger_upload"), {"region": TOWNSHIP_A})
    assert r.status_code == 422 and "请选择要导入的台账文件" in r.content.decode()
    r = client.post(reverse("web:ledger_upload"), {"region": "12345", "file": BytesIO(b"PK\x03\x04x")})
    assert r.status_code == 422 and "区划代码“12345”不存在" in unescape(r.content.decode())
    assert not Job.objects.exists()


def test_scope_and_roles(client, outsider, village_user, tmp_path):
    # an outsider from township B cannot import into township A, nor download its ledger
    client.force_login(outsider)
    with open(write_xlsx(tmp_path / "l.xlsx", sample_rows()), "rb") as fh:
        r = client.post(reverse("web:ledger_upload"), {"file": fh, "region": TOWNSHIP_A})
    assert r.status_code == 404 and not Job.objects.exists()
    assert client.get(reverse("web:ledger_download") + f"?region={TOWNSHIP_A}").status_code == 404
    # a village assistant may not use the page at all, and is told why
    client.force_login(village_user)
    r = client.get(reverse("web:ledger"))
    assert r.status_code == 403 and "乡镇经办人或县民政" in r.content.decode()


def test_download_masked_by_default_full_audited(client, caseworker, tmp_path):
    client.force_login(caseworker)
    rows = sample_rows()
    _upload(client, write_xlsx(tmp_path / "ledger.xlsx", rows))
    r = client.get(reverse("web:ledger_download") + f"?region={TOWNSHIP_A}")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    masked = (tmp_path / "masked.xlsx")
    masked.write_bytes(b"".join(r.streaming_content))
    text = str(CalamineWorkbook.from_path(str(masked)).get_sheet_by_index(0).to_python())
    assert rows[0]["户主身份证号"] not in text and "张建国" in text
    r = client.get(reverse("web:ledger_download") + f"?region={TOWNSHIP_A}&full=on")
    full = (tmp_path / "full.xlsx")
    full.write_bytes(b"".join(r.streaming_content))
    assert rows[0]["户主身份证号"] in str(CalamineWorkbook.from_path(str(full)).get_sheet_by_index(0).to_python())
    assert AuditEvent.objects.filter(action="ledger.export_full").count() == 1
