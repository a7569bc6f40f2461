"""低保证 / 特困证 (issue 20 §7). Seed 审核确认权下放 plan 二(二)5："确认给予最低生活保障或特困供养待遇的，
发放最低生活保障(特困供养)证": a number at approval in the region's format, printed on 附件8 and shown on the
enrollment, reissued (same number) on a change of amount or class, revoked at a stop; the register."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from jiuzhu.apps.cases.documents import case_document_pdf, contexts
from jiuzhu.apps.enrollment.certificate_selectors import certificate_history, certificates_export, certificates_search
from jiuzhu.apps.enrollment.certificates import next_number
from jiuzhu.apps.enrollment.models import Certificate, CertificateSequence, Enrollment
from jiuzhu.apps.enrollment.services import enrollment_adjust, enrollment_stop
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.errors import NotFound, ValidationFailed
from tests.apps.cases.flow import MEETING, act, at, to_confirmation
from tests.conftest import AS_OF, VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
CONFIRMED = date(2026, 12, 15)


@pytest.fixture
def people(caseworker, reviewer, county_user, village_user, outsider):
    return {"caseworker": caseworker, "reviewer": reviewer, "county": county_user, "village": village_user,
            "outsider": outsider}


def _approve(people, household):
    case, _ = to_confirmation(people, household, DAY)
    return act(people["reviewer"], case, "confirm", CONFIRMED, MEETING)


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def test_queren_geiyu_daiyu_de_fafang_zuidi_shenghuo_baozhang_zheng(people, household):
    """审核确认权下放 plan 二(二)5：确认给予最低生活保障……待遇的，发放最低生活保障(特困供养)证."""
    # when a dibao case is approved in the demo county (format county code + year + 5-digit sequence)
    case = _approve(people, household)
    # then its enrollment holds a certificate numbered DB + 330127 + 2026 + 00001, issued that day
    cert = Certificate.objects.get(enrollment__case=case)
    assert cert.number == "DB330127202600001" and cert.issued_on == CONFIRMED and cert.status == "valid"
    assert cert.holder_name == household.head_name
    # and it is printed on 附件8 and on the 审核确认表 (附件5)
    assert contexts(case, CONFIRMED)["confirmation_notice"].notice.rows[0].certificate_number == cert.number
    assert cert.number in _text(case_document_pdf(case=case, kind="confirmation_notice", today=CONFIRMED)[1])
    assert contexts(case, CONFIRMED)["confirmation_form"].confirmation.certificate_number == cert.number


def test_numbers_are_unique_and_consecutive_per_program_region_and_year(people, household, household_data, caseworker):
    first = _approve(people, household)
    other = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    second = _approve(people, other)
    numbers = [Certificate.objects.get(enrollment__case=c).number for c in (first, second)]
    assert numbers == ["DB330127202600001", "DB330127202600002"]
    assert next_number("tekun", VILLAGE_A, CONFIRMED) == "TK330127202600001"  # 特困证 counts on its own
    assert next_number("dibao", VILLAGE_B, date(2027, 1, 4)) == "DB330127202700001"  # a new year starts again
    assert CertificateSequence.objects.get(prefix="DB3301272026").last == 2


def test_reissued_with_the_same_number_on_a_change_and_revoked_at_a_stop(people, household):
    e = Enrollment.objects.get(case=_approve(people, household))
    number = e.certificate.number
    enrollment_adjust(actor=people["caseworker"], enrollment_id=e.pk, amount="300.00", klass="D",
                      reason="家庭收入增加", now=at(date(2026, 12, 20)))
    enrollment_stop(actor=people["caseworker"], enrollment_id=e.pk, reason="家庭收入超过标准", now=at(date(2027, 1, 8)))
    cert, history = certificate_history(enrollment=e)
    assert cert.number == number and cert.status == "revoked" and cert.revoked_on == date(2027, 1, 8)
    assert [(i.kind, str(i.amount), i.klass) for i in history] == [
        ("issue", str(e.case.decided_amount), e.case.decided_class), ("reissue", "300.00", "D"),
        ("revoke", "300.00", "D")]


def test_register_is_scoped_and_exports_xlsx(people, household):
    case = _approve(people, household)
    number = Certificate.objects.get(enrollment__case=case).number
    rows, more = certificates_search(actor=people["county"])
    assert [c.number for c in rows] == [number] and not more
    assert certificates_search(actor=people["outsider"])[0] == []  # township B sees none of township A's
    with pytest.raises(NotFound):  # nor may it ask for township A's villages
        certificates_search(actor=people["outsider"], region_code=VILLAGE_A)
    with pytest.raises(ValidationFailed):
        certificates_search(actor=people["county"], status="lost")
    out = io.BytesIO()
    assert certificates_export(actor=people["county"], out=out, today=CONFIRMED) == 1
    book = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[1][0] == "证号" and rows[2][0] == number and rows[2][2] == household.head_name


def test_register_page_and_export_for_county_and_township_not_for_the_village(client, people, household):
    case = _approve(people, household)
    number = Certificate.objects.get(enrollment__case=case).number
    client.force_login(people["county"])
    page = client.get("/certificates/")
    assert page.status_code == 200 and number in page.content.decode()
    export = client.get("/certificates/export/?program=dibao")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/enrollments/{Enrollment.objects.get(case=case).pk}/").content.decode().count(number) >= 1
    client.force_login(people["outsider"])
    assert number not in client.get("/certificates/").content.decode()
    assert client.get(f"/certificates/?region={VILLAGE_A}").status_code == 404
    client.force_login(people["village"])
    assert client.get("/certificates/").status_code == 403
