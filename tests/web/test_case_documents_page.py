"""Documents on the case page (issue 13 §1): 附件1–9, the 核对 report and the 一人一档 ZIP with the
logged-in session, through the same services as the API; the ZIP holds the uploaded scans and
photos in order (decrypted); 附件1 prints the applicant's full ID number, audited."""

import hashlib
import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.files import attachment_add
from jiuzhu.apps.registry import pii
from jiuzhu.apps.verification.services import verification_run, verification_submit
from tests.apps.cases.flow import at
from tests.apps.verification.conftest import (  # noqa: F401  (fixtures)
    SNAP_DATE,
    department_files,
    ids,
    ingested,
    ver_household,
    verifying_case,
)

from .test_cases_support import case_in, people, submit, tiny_png  # noqa: F401  (people is a fixture)

pytestmark = pytest.mark.django_db


def _upload(actor, case, kind, content):
    return attachment_add(actor=actor, case_id=case.pk, kind=kind, filename=f"{kind}.png", content=content,
                          now=timezone.now())


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_documents_section_links_what_is_ready_and_says_why_the_rest_is_not(client, people, household):
    case = submit(people["caseworker"], household)
    client.force_login(people["caseworker"])
    html = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    section = html[html.index('id="case-documents"'):html.index("</section>", html.index('id="case-documents"'))]
    # 附件1–3 are ready on submission; the survey form waits for the survey; the 核对 report is not issued
    assert reverse("web:case_document", args=[case.pk, "authorization"]) in section
    assert reverse("web:case_document", args=[case.pk, "application"]) in section
    assert reverse("web:case_document", args=[case.pk, "survey"]) not in section
    assert 'id="doc-survey" aria-disabled="true"' in section and "录入入户调查后可生成" in section
    assert "尚未出具核对报告" in section
    assert reverse("web:case_archive", args=[case.pk]) in section
    assert "含申请人完整身份证号" in section
    # a village assistant (no full numbers, no 核对 reports) is told so
    client.force_login(people["village"])
    html = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "含申请人完整身份证号" not in html and "您的角色无权查看核对报告" in html


def test_authorization_shows_the_applicants_full_id_number_and_audits_it(client, people, household):
    case = submit(people["caseworker"], household)
    full = pii.open_(household.head.id_number_enc, purpose="id_number")
    client.force_login(people["caseworker"])
    # when the caseworker downloads 附件1 with the session
    resp = client.get(reverse("web:case_document", args=[case.pk, "authorization"]))
    # then it is the PDF, with the applicant's number in full and the spouse's masked
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = _text(resp.content)
    assert full in text and household.head.id_number_masked not in text
    spouse = household.memberships.exclude(person=household.head).get().person
    assert pii.open_(spouse.id_number_enc, purpose="id_number") not in text
    # and the full view is audited against the applicant, naming the case and the document
    ev = AuditEvent.objects.get(action="pii.view_id_number", subject_id=str(household.head_id))
    assert ev.details == {"case": case.pk, "document": "authorization"} and ev.actor_name == "caseworker_a"
    assert AuditEvent.objects.filter(action="case.document_download", subject_id=str(case.pk)).count() == 1
    # another document does not open the number
    client.get(reverse("web:case_document", args=[case.pk, "application"]))
    assert AuditEvent.objects.filter(action="pii.view_id_number").count() == 1


def test_a_user_without_full_view_gets_the_number_masked_and_nothing_audited(client, people, household):
    case = submit(people["caseworker"], household)
    client.force_login(people["village"])
    resp = client.get(reverse("web:case_document", args=[case.pk, "authorization"]))
    assert resp.status_code == 200
    assert household.head.id_number_masked in _text(resp.content)
    assert not AuditEvent.objects.filter(action="pii.view_id_number").exists()


def test_archive_holds_documents_then_scans_then_photos_in_upload_order(client, people, household):
    case = case_in(people, household, "accepted")
    cw = people["caseworker"]
    photo, auth_scan, id_scan, id_back = tiny_png(2, 2), tiny_png(3, 3), tiny_png(4, 4), tiny_png(5, 5)
    for kind, content in (("photo", photo), ("authorization", auth_scan), ("id_card", id_scan),
                          ("id_card", id_back)):
        _upload(cw, case, kind, content)
    # the scans are encrypted at rest: no file under the files directory holds the PNG bytes
    stored = [p.read_bytes() for p in settings.JIUZHU_FILES_DIR.rglob("*.png")]
    assert stored and id_scan not in stored
    client.force_login(cw)
    resp = client.get(reverse("web:case_archive", args=[case.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(resp.content))
    names = zf.namelist()
    assert names[:5] == ["索引.txt", "01-委托授权书.pdf", "02-申请家庭经济状况信息表.pdf", "03-社会救助申请书.pdf",
                         "04-申请最低生活保障(特困供养)受理告知书.pdf"]
    assert names[5:] == ["05-身份证件1.png", "06-身份证件2.png", "07-委托授权书1.png", "08-入户调查照片1.png"]
    assert [zf.read(n) for n in names[5:]] == [id_scan, id_back, auth_scan, photo]
    index = zf.read("索引.txt").decode("utf-8-sig")
    assert f"8\t—\t入户调查照片1\t08-入户调查照片1.png\t1\t{hashlib.sha256(photo).hexdigest()}" in index
    # the archive's 附件1 carries the full number too: audited once, as the archive
    assert AuditEvent.objects.filter(action="pii.view_id_number", details__document="archive").count() == 1
    assert AuditEvent.objects.filter(action="case.file_download", subject_id=str(case.pk)).count() == 1


def test_unknown_unavailable_and_other_township(client, people, household):
    case = submit(people["caseworker"], household)
    client.force_login(people["caseworker"])
    assert client.get(reverse("web:case_document", args=[case.pk, "nonsense"])).status_code == 404
    later = client.get(reverse("web:case_document", args=[case.pk, "denial_letter"]))
    assert later.status_code == 404 and "尚不能生成" in later.content.decode()
    # the outsider from another township: not found, and nothing opened or audited
    client.force_login(people["outsider"])
    for url in (reverse("web:case_document", args=[case.pk, "authorization"]),
                reverse("web:case_archive", args=[case.pk])):
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(actor_name=people["outsider"].username,
                                         action__in=["pii.view_id_number", "case.file_download"]).exists()
    # anonymous: to the login page
    client.logout()
    assert client.get(reverse("web:case_archive", args=[case.pk])).status_code == 302


def test_the_recorded_verification_report_is_linked_and_archived(client, ingested, verifying_case,  # noqa: F811
                                                                 county_user, caseworker):
    # given the county's 核对 report, recorded in the case
    report = verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)
    client.force_login(caseworker)
    page = client.get(reverse("web:case_detail", args=[verifying_case.pk])).content.decode()
    assert reverse("web:verification_pdf", args=[report.pk]) in page
    names = zipfile.ZipFile(io.BytesIO(client.get(reverse("web:case_archive", args=[verifying_case.pk])).content)).namelist()
    assert not any("核对报告" in n for n in names)  # not yet recorded in the case
    verification_submit(actor=county_user, report_id=report.pk, now=at(SNAP_DATE))
    # then the 一人一档 holds it after the documents 附件1–3
    zf = zipfile.ZipFile(io.BytesIO(client.get(reverse("web:case_archive", args=[verifying_case.pk])).content))
    assert zf.namelist()[4] == f"04-家庭经济状况核对报告{report.number}.pdf"
    assert zf.read(zf.namelist()[4]).startswith(b"%PDF")
