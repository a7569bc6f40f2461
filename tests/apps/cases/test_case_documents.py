"""Seed 附件1–9 filled from a real case: each PDF names the household and its amount; the case file ZIP."""

import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from jiuzhu.apps.cases.documents import case_document_pdf, case_file_zip, contexts
from jiuzhu.rules.errors import NotFound

from .flow import act, submit, to_confirmation

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
MEETING = {"meeting_date": "2026-12-15", "members_present": ["周组长", "吴委员", "郑委员"], "opinion": "同意纳入"}


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def _amount_text(amount) -> str:
    return f"{amount:,.2f}"


def test_approved_case_documents_carry_name_and_amount(people, household):
    # given an approved dibao case
    case, d = to_confirmation(people, household, DAY)
    case = act(people["reviewer"], case, "confirm", date(2026, 12, 15), MEETING)
    today = date(2026, 12, 15)
    # when every available document is rendered
    kinds = list(contexts(case, today))
    # then the seed's documents for an approval are there, in order, each with name (and amount where printed)
    assert kinds == ["authorization", "economic_info", "application", "acceptance_notice", "survey",
                     "confirmation_form", "initial_notice", "confirmation_notice"]
    for kind in kinds:
        filename, pdf = case_document_pdf(case=case, kind=kind, today=today)
        text = _text(pdf)
        assert household.head_name in text, kind
        if kind in ("confirmation_form", "initial_notice", "confirmation_notice"):
            assert _amount_text(case.decided_amount) in text, kind
    with pytest.raises(NotFound):
        case_document_pdf(case=case, kind="denial_letter", today=today)


def test_rejected_case_has_denial_letter_with_reasons_and_remedy(people, household):
    case, d = to_confirmation(people, household, DAY)
    case = act(people["reviewer"], case, "reject", date(2026, 12, 15),
               {"meeting_date": "2026-12-15", "members_present": ["甲", "乙", "丙"],
                "reasons": ["家庭人均收入高于当地低保标准"]})
    _, pdf = case_document_pdf(case=case, kind="denial_letter", today=date(2026, 12, 15))
    text = _text(pdf)
    assert household.head_name in text and "家庭人均收入高于当地低保标准" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_case_file_zip_in_seed_order_and_deterministic(people, household):
    case = submit(people["caseworker"], household, day=DAY)
    name1, z1 = case_file_zip(case=case, today=DAY)
    name2, z2 = case_file_zip(case=case, today=DAY)
    assert z1 == z2 and name1.endswith("一人一档.zip")
    names = zipfile.ZipFile(io.BytesIO(z1)).namelist()
    assert names[0] == "索引.txt"
    assert [n.split("-", 1)[1] for n in names[1:]] == ["委托授权书.pdf", "申请家庭经济状况信息表.pdf", "社会救助申请书.pdf"]


PRINTED_LATER = date(2027, 1, 20)  # the day the PDFs are generated, weeks after the events


def test_documents_carry_the_date_of_the_event_they_record_not_the_date_the_pdf_was_generated(people, household):
    """Issue 12 §3.7: documents carry the date of the event they record (submission, survey, meeting,
    decision, notice), not the date the PDF was generated."""
    # given a case approved at a meeting on 12-14, recorded (and the long-term notice started) on 12-15
    case, d = to_confirmation(people, household, DAY)
    case = act(people["reviewer"], case, "confirm", date(2026, 12, 15), {**MEETING, "meeting_date": "2026-12-14"})
    initial_start = case.notices.get(kind="initial").starts_on
    # when the documents are generated on a later day
    dated = {kind: ctx.header.doc_date for kind, ctx in contexts(case, PRINTED_LATER).items()}
    # then each is dated on its event
    assert dated == {"authorization": DAY, "economic_info": DAY, "application": DAY,
                     "acceptance_notice": case.deadlines.get(step="survey").starts_on,
                     "survey": date.fromisoformat(case.records.get(kind="survey").data["date"]),
                     "confirmation_form": date(2026, 12, 14),
                     "initial_notice": initial_start, "confirmation_notice": date(2026, 12, 15)}
    # and the printed 附件8 (sealed on the notice's start) and 附件1 (signed at submission) say so
    notice = _text(case_document_pdf(case=case, kind="confirmation_notice", today=PRINTED_LATER)[1])
    authorization = _text(case_document_pdf(case=case, kind="authorization", today=PRINTED_LATER)[1])
    assert "2026年12月15日" in notice and "2026年12月1日" in authorization
    assert "2027年1月20日" not in notice + authorization


def test_denial_letter_is_dated_on_the_decision_not_on_printing(people, household):
    """Issue 12 §3.7: the 不予批准决定书 (附件7) carries the decision (meeting) date, not the date the PDF
    was generated."""
    # given a case rejected at the meeting of 12-14, recorded on 12-15
    case, d = to_confirmation(people, household, DAY)
    case = act(people["reviewer"], case, "reject", date(2026, 12, 15),
               {"meeting_date": "2026-12-14", "members_present": ["甲", "乙", "丙"], "reasons": ["家庭人均收入高于当地低保标准"]})
    # when the letter is printed on a later day
    assert contexts(case, PRINTED_LATER)["denial_letter"].header.doc_date == date(2026, 12, 14)
    text = _text(case_document_pdf(case=case, kind="denial_letter", today=PRINTED_LATER)[1])
    # then it is dated on the decision
    assert "2026年12月14日" in text and "2027年1月20日" not in text
