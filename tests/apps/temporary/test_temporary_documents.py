"""临时救助's documents (issue 14 §5; R-TA-03, R-TA-06): 临时救助申请审批表, 先行救助登记表 and 转介函 are the
temporary case's document list, offered at their step, dated on the event they record, scoped and archived."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.document_services import case_document_download, case_documents_status, case_file_download
from jiuzhu.apps.cases.documents import case_document_pdf, contexts
from jiuzhu.apps.cases.services import case_act, case_submit
from jiuzhu.apps.programs.temporary import limits
from jiuzhu.rules.errors import NotFound
from tests.api.conftest import bearer  # noqa: F401  (fixture)
from tests.apps.cases.flow import at
from tests.apps.temporary.test_temporary_cases import EXPENDITURE
from tests.conftest import PASSWORD, VILLAGE_A

pytestmark = pytest.mark.django_db
LATER = date(2026, 12, 20)  # the day the documents are printed: never their date
EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "夜间住房失火，衣物被褥烧毁",
             "occurred_on": "2026-11-30", "place_region": VILLAGE_A, "need": "1000"}
VERIFY = {"income_per_capita": "800", "assets_within_limits": True, "verified_on": "2026-12-02"}
SURVEY = {"surveyed_on": "2026-12-02", "investigators": ["王经办", "陈协理"], "findings": "情况属实"}
NOTICE = {"exempt": True, "exempt_reason": "急难情形，先行救助"}


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def _act(actor, case, action, day, payload=None):
    return case_act(actor=actor, case_id=case.pk, action=action, payload=payload or {}, now=at(day))


def _open(actor, household, intake, day):
    return case_submit(actor=actor, program="temporary", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", payload=intake, now=at(day))


def _follow_up(actor, case, day, notice=NOTICE):
    for action, payload in (("ta_record_verification", VERIFY), ("ta_record_survey", SURVEY),
                            ("ta_publish_notice", notice)):
        case = _act(actor, case, action, day, payload)
    return case


def _emergency_paid(caseworker, reviewer, household):
    case = _open(caseworker, household, EMERGENCY, date(2026, 12, 1))
    case = _act(caseworker, case, "ta_pay_advance", date(2026, 12, 1), {
        "amount": "500", "reason": "火灾后基本生活无着，急需被褥衣物", "recipient": "张建国", "modality": "cash",
        "receipt_number": "XJ-0001"})
    case = _follow_up(caseworker, case, date(2026, 12, 3))
    return _act(reviewer, case, "ta_complete_follow_up", date(2026, 12, 4), {"note": "补办完成，情况属实"})


def test_documents_follow_the_steps_not_the_dibao_attachments(caseworker, reviewer, household):
    """A temporary case offers its own three documents (no 附件1–9), each only once its step is recorded."""
    case = _open(caseworker, household, EMERGENCY, date(2026, 12, 1))
    assert contexts(case, date(2026, 12, 1)) == {}
    rows = case_documents_status(actor=caseworker, case=case, today=date(2026, 12, 1))
    assert [r["kind"] for r in rows] == ["ta_approval_form", "ta_advance_register", "ta_referral_letter"]
    assert not any(r["available"] for r in rows) and "先行救助" in rows[1]["reason"]
    with pytest.raises(NotFound):
        case_document_pdf(case=case, kind="ta_advance_register", today=date(2026, 12, 1))
    with pytest.raises(NotFound):  # the dibao forms are not this program's
        case_document_pdf(case=case, kind="authorization", today=date(2026, 12, 1))
    case = _act(caseworker, case, "ta_pay_advance", date(2026, 12, 1), {
        "amount": "500", "reason": "火灾", "recipient": "张建国", "modality": "cash", "receipt_number": "XJ-1"})
    assert list(contexts(case, date(2026, 12, 1))) == ["ta_advance_register"]


def test_advance_register_and_approval_form_dated_on_their_events(caseworker, reviewer, household):
    """R-TA-03: 先行救助 registered with reason, amount, recipient, date and who paid; the approval form dated
    on the completed 补办 — printed weeks later, neither carries the printing day."""
    case = _emergency_paid(caseworker, reviewer, household)
    with time_machine.travel(at(LATER), tick=False):
        assert list(contexts(case, LATER)) == ["ta_approval_form", "ta_advance_register"]
        _, pdf = case_document_pdf(case=case, kind="ta_advance_register", today=LATER)
        text = _text(pdf)
        for expected in ("先行救助登记表", "火灾后基本生活无着", "500.00", "张建国", "XJ-0001", "caseworker_a",
                         "2026年12月1日", household.head_name, "千岛湖镇人民政府"):
            assert expected in text, expected
        assert "2026年12月20日" not in text
        _, pdf = case_document_pdf(case=case, kind="ta_approval_form", today=LATER)
        text = _text(pdf)
        for expected in ("临时救助申请审批表", "急难型", "火灾", "先行救助，补办完成", "乡镇先行救助", "500.00",
                         "王经办", "免于公示", "2026年12月4日", "reviewer_a", case.number):
            assert expected in text, expected
        assert "2026年12月20日" not in text


def test_county_approval_in_stages_and_referral_letter(caseworker, reviewer, county_user, household):
    """R-TA-03/05 level and limits on the form; R-TA-06 stages and payments; 转介函 for the referral modality."""
    day = date(2026, 12, 2)
    case = _act(caseworker, _open(caseworker, household, EXPENDITURE, day), "ta_accept", day)
    case = _follow_up(caseworker, case, day, {"starts_on": "2026-12-02"})
    lim = limits(case, day)
    amount = lim["township"] + 100
    case = _act(reviewer, case, "ta_refer_county", day, {"amount": str(amount), "note": "医疗负担重"})
    half = (amount / 2).quantize(Decimal("0.01"))
    case = _act(county_user, case, "ta_county_approve", date(2026, 12, 3), {
        "amount": str(amount), "modality": "bank", "stages": [str(half), str(amount - half)], "note": "同意分两期"})
    case = _act(caseworker, case, "ta_pay", date(2026, 12, 4), {"modality": "bank", "recipient": "张建国",
                                                               "paid_on": "2026-12-04"})
    _, pdf = case_document_pdf(case=case, kind="ta_approval_form", today=LATER)
    text = _text(pdf)
    for expected in ("县级审批", "同意救助", f"{amount:,.2f}", f"{lim['township']:,.2f}", f"{half:,.2f}",
                     "第1期（共2期）", "报县级审批", "医疗负担重", "2026年12月3日", "county_staff"):
        assert expected in text, expected
    assert "ta_referral_letter" not in contexts(case, LATER)

    other = _act(caseworker, _open(caseworker, household, {**EXPENDITURE, "category": "education"}, day),
                 "ta_accept", day)
    other = _follow_up(caseworker, other, day, {"starts_on": "2026-12-02"})
    other = _act(reviewer, other, "ta_approve", date(2026, 12, 5), {
        "amount": "0", "modality": "referral", "referral_to": "县教育局学生资助管理中心", "note": "申请教育救助"})
    _, pdf = case_document_pdf(case=other, kind="ta_referral_letter", today=LATER)
    text = _text(pdf)
    for expected in ("转介函", "县教育局学生资助管理中心", household.head_name, "申请教育救助", "送达回证",
                     "2026年12月5日", "千岛湖镇临救转字"):
        assert expected in text, expected


def test_download_scoped_audited_and_archived(client, bearer, caseworker, reviewer, outsider, household):
    case = _emergency_paid(caseworker, reviewer, household)
    listed = client.get(f"/api/v1/cases/{case.pk}/documents", **bearer(caseworker))
    assert [d["kind"] for d in listed.json()] == ["ta_approval_form", "ta_advance_register"]
    assert client.get(f"/api/v1/cases/{case.pk}/documents/ta_advance_register", **bearer(outsider)).status_code == 404
    with pytest.raises(NotFound):
        case_document_download(actor=outsider, case_id=case.pk, kind="ta_advance_register", now=at(LATER))
    name, pdf = case_document_download(actor=caseworker, case_id=case.pk, kind="ta_advance_register", now=at(LATER))
    assert name.endswith("先行救助登记表.pdf") and pdf.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="case.document_download", subject_id=str(case.pk)).exists()
    name, data = case_file_download(actor=caseworker, case_id=case.pk, now=at(LATER))
    files = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert files[1:] == ["01-临时救助申请审批表.pdf", "02-先行救助登记表.pdf"]
    assert not AuditEvent.objects.filter(action="pii.view_id_number").exists()
    client.login(username=caseworker.username, password=PASSWORD)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/documents/ta_advance_register.pdf" in page and 'id="doc-authorization"' not in page
    client.logout()
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(f"/cases/{case.pk}/documents/ta_advance_register.pdf").status_code == 404
