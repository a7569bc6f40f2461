"""Pages: department data sources (freshness, rejects download) and verification reports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.verification.models import VerificationReport
from jiuzhu.apps.verification.services import verification_run
from tests.apps.cases.flow import at
from tests.apps.verification.conftest import SNAP_DATE, department_files, ids, ingested, ver_household, verifying_case  # noqa: F401
from tests.jobs_helpers import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(ingested, verifying_case, county_user):
    return verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)


def test_data_sources_freshness_and_rejects(client, ingested, county_user):
    client.force_login(county_user)
    html = client.get(reverse("web:data_sources")).content.decode()
    tax = html.split('id="source-tax"')[1].split("</tr>")[0]
    assert "2026-11-30" in tax and ">26<" in tax and "1（下载）" in tax
    assert "无数据" in html.split('id="source-student"')[1].split("</tr>")[0]
    snap = ingested["tax"].snapshot
    response = client.get(reverse("web:snapshot_rejects", args=[snap.pk]))
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "身份证号校验位错误" in body and "**********" in body
    detail = client.get(reverse("web:data_sources") + "?source=tax").content.decode()
    assert "income_type" in detail and "所得项目" in detail and 'id="history-table"' in detail


def test_data_pages_refused_to_township_roles(client, ingested, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("web:data_sources")).status_code == 403
    assert client.get(reverse("web:snapshot_rejects", args=[ingested["tax"].snapshot.pk])).status_code == 403
    assert reverse("web:data_sources") not in client.get(reverse("web:workbench")).content.decode()


def test_report_page_items_differences_pdf(client, report, county_user):
    client.force_login(county_user)
    html = client.get(reverse("web:verification_report", args=[report.pk])).content.decode()
    assert "张建国" in html and "2000.00" in html and "80000.00" in html and "税务" in html
    assert 'id="differences-table"' in html and "工资性收入（元/月）" in html
    assert "张小红" in html.split('id="not-verifiable"')[1] and "与申报不一致" in html
    pdf = client.get(reverse("web:verification_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_run_from_list_and_submit(client, ingested, verifying_case, county_user):
    client.force_login(county_user)
    listing = client.get(reverse("web:verification_list")).content.decode()
    assert verifying_case.number in listing.split('id="pending-table"')[1]
    response = client.post(reverse("web:verification_start"), {"case": verifying_case.pk, "as_of": "2026-11-30"})
    report = VerificationReport.objects.get(case=verifying_case)
    assert response.status_code == 302 and response["Location"] == reverse("web:verification_report", args=[report.pk])
    response = client.post(reverse("web:verification_submit", args=[report.pk]))
    assert response.status_code == 302
    assert Case.objects.get(pk=verifying_case.pk).state == "verified"
    again = client.post(reverse("web:verification_submit", args=[report.pk]), follow=True).content.decode()
    assert "不能重复录入" in again


def test_outsider_gets_404_and_caseworker_cannot_submit(client, report, outsider, caseworker, village_user):
    client.force_login(outsider)
    assert client.get(reverse("web:verification_report", args=[report.pk])).status_code == 404
    assert client.get(reverse("web:verification_pdf", args=[report.pk])).status_code == 404
    assert client.post(reverse("web:verification_start"), {"case": report.case_id, "as_of": "2026-11-30"}).status_code == 404
    client.force_login(caseworker)
    page = client.get(reverse("web:verification_report", args=[report.pk])).content.decode()
    assert "录入案件（核对结果）" not in page
    assert client.post(reverse("web:verification_submit", args=[report.pk])).status_code == 403
    client.force_login(village_user)
    assert client.get(reverse("web:verification_report", args=[report.pk])).status_code == 403


def _upload(client, path, *, source="tax", as_of="2026-11-30"):
    with open(path, "rb") as fh:
        return client.post(reverse("web:data_upload"), {"source": source, "as_of": as_of, "file": fh}, follow=True)


def test_upload_a_department_file_from_the_page(client, department_files, county_user):
    from jiuzhu.apps.audit.models import AuditEvent
    from jiuzhu.apps.verification.models import Snapshot

    client.force_login(county_user)
    detail = client.get(reverse("web:data_sources") + "?source=tax").content.decode()
    assert 'id="upload-form"' in detail
    response = _upload(client, department_files["tax"])
    # the import is queued as a background job; the sources page shows it, then its result
    assert "已提交后台任务：导入部门数据" in response.content.decode() and not Snapshot.objects.exists()
    assert run_jobs() == 1
    html = client.get(response.redirect_chain[-1][0]).content.decode()
    snap = Snapshot.objects.get(source_id="tax")
    assert f"查看快照 {snap.pk}（已导入 26 行，退回 1 行）" in html and snap.input_name == "tax.csv"
    assert AuditEvent.objects.filter(action="data.ingest", subject_id=str(snap.pk)).count() == 1
    again = _upload(client, department_files["tax"])
    assert run_jobs() == 1
    html = client.get(again.redirect_chain[-1][0]).content.decode()
    assert "未重复导入" in html and Snapshot.objects.count() == 1


def test_upload_with_wrong_columns_or_missing_fields_stores_nothing(client, department_files, county_user, tmp_path):
    from jiuzhu.apps.verification.models import Snapshot

    client.force_login(county_user)
    html = _upload(client, department_files["vehicle"], source="tax").content.decode()
    assert "导入失败" in html and "income_type" in html  # the missing columns are named
    html = _upload(client, department_files["tax"], as_of="2026-13-01").content.decode()
    assert "导入失败" in html and "YYYY-MM-DD" in html
    html = client.post(reverse("web:data_upload"), {"source": "tax", "as_of": "2026-11-30"}, follow=True) \
        .content.decode()
    assert "请选择要导入的文件" in html
    odd = tmp_path / "tax.docx"
    odd.write_text("x", encoding="utf-8")
    odd_html = _upload(client, odd).content.decode()
    assert "不支持的文件类型" in odd_html, odd_html.split("<main")[1][:600]
    assert Snapshot.objects.count() == 0


def test_upload_refused_to_township_roles(client, department_files, caseworker, inspector):
    from jiuzhu.apps.verification.models import Snapshot

    for user in (caseworker, inspector):
        client.force_login(user)
        with open(department_files["tax"], "rb") as fh:
            response = client.post(reverse("web:data_upload"), {"source": "tax", "as_of": "2026-11-30", "file": fh})
        assert response.status_code == 403
    assert Snapshot.objects.count() == 0


def test_report_page_compares_what_is_recorded_with_the_declaration_item_by_item(client, report, county_user):
    # given a report whose items differ from the household's declaration
    client.force_login(county_user)
    html = client.get(reverse("web:verification_report", args=[report.pk])).content.decode()
    # then the page has the item-by-item table with the county tolerance and the items beyond it
    table = html[html.index('id="declared-comparison"'):]
    assert "录入案件的项目与申报逐项对比" in html and "10 元、申报额的 5%" in table
    assert "张建国" in table and "工资性收入（元/月）" in table and "超出容差" in table
