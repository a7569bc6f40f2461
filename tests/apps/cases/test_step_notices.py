"""The written notices the seed plans name, issued at their step and dated on it (issue 20 §1):
《申请最低生活保障受理告知书》/《不予受理告知书》 (年审 plan 三(2)一), the written notice when 核对 finds
the household ineligible with the objection route, and the 一次性告知 of missing materials
(审核确认权下放 plan 二(二)1–2)."""

import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from jiuzhu.apps.cases.documents import case_document_pdf, case_file_zip, contexts
from jiuzhu.apps.cases.models import Case
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .flow import act, submit, verification

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
LATER = date(2027, 2, 1)  # the day the PDFs are printed


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def _verified(people, household):
    case = submit(people["caseworker"], household, day=DAY)
    case = act(people["caseworker"], case, "request_verification", date(2026, 12, 2))
    return act(people["county"], case, "record_verification", date(2026, 12, 3), verification())


def test_acceptance_issues_shenqing_zuidi_shenghuo_baozhang_shouli_gaozhishu_dated_on_acceptance(people, household):
    """年审 plan 三(2)一：对新申请对象及时出具《县申请最低生活保障受理告知书》."""
    # given a verified application, accepted on 12-04
    case = act(people["caseworker"], _verified(people, household), "accept", date(2026, 12, 4))
    # when the documents are printed later
    docs = contexts(case, LATER)
    # then the 受理告知书 is there, dated on the acceptance, naming the applicant and the survey's due date
    notice = docs["acceptance_notice"]
    assert notice.header.doc_date == date(2026, 12, 4) and notice.accepted_on == date(2026, 12, 4)
    survey_due = case.deadlines.get(step="survey").due
    assert notice.survey_due == survey_due
    text = _text(case_document_pdf(case=case, kind="acceptance_notice", today=LATER)[1])
    assert "受理告知书" in text and household.head_name in text and "2026年12月4日" in text
    assert f"{survey_due.year}年{survey_due.month}月{survey_due.day}日" in text and "2027年2月1日" not in text


def test_refuse_acceptance_closes_the_case_with_buyu_shouli_gaozhishu_listing_reasons(people, household):
    """年审 plan 三(2)一：对新申请对象及时出具……或《县申请最低生活保障不予受理告知书》."""
    # given a verified application
    case = _verified(people, household)
    # when the township does not accept it, with its reasons
    case = act(people["caseworker"], case, "refuse_acceptance", date(2026, 12, 4),
               {"reasons": ["申请人户籍不在本乡镇", "未提供委托授权书原件"]})
    # then the case is closed as 不予受理 and no deadline is left running
    case.refresh_from_db()
    assert case.state == "not_accepted" and not case.is_open and case.next_due is None
    assert not case.deadlines.filter(status__in=["open", "overdue"]).exists()
    # and the 不予受理告知书 lists every reason with the route to reconsideration, dated on the step
    docs = contexts(case, LATER)
    assert docs["non_acceptance_notice"].header.doc_date == date(2026, 12, 4)
    assert "acceptance_notice" not in docs
    text = _text(case_document_pdf(case=case, kind="non_acceptance_notice", today=LATER)[1])
    assert "不予受理告知书" in text and "申请人户籍不在本乡镇" in text and "未提供委托授权书原件" in text
    assert "行政复议" in text and "行政诉讼" in text
    # and a new application may follow (the household has no open case)
    assert submit(people["caseworker"], household, day=date(2026, 12, 8)).state == "submitted"


def test_refuse_acceptance_requires_reasons_and_changes_nothing(people, household):
    case = _verified(people, household)
    for bad in ({}, {"reasons": []}, {"reasons": ["  "]}, {"reasons": ["理由"], "extra": 1}):
        with pytest.raises(ValidationFailed) as err:
            act(people["caseworker"], case, "refuse_acceptance", date(2026, 12, 4), bad)
        assert err.value.details.get("field", "").startswith(("reasons", "extra")), bad
    case.refresh_from_db()
    assert case.state == "verified" and not case.records.filter(kind="non_acceptance").exists()


def test_refuse_acceptance_scope_role_and_state(people, household):
    case = _verified(people, household)
    with pytest.raises(NotFound):  # the outsider from township B cannot see the case
        act(people["outsider"], case, "refuse_acceptance", date(2026, 12, 4), {"reasons": ["x"]})
    with pytest.raises(Forbidden):  # the county verifies, the township accepts or refuses
        act(people["county"], case, "refuse_acceptance", date(2026, 12, 4), {"reasons": ["x"]})
    case = act(people["caseworker"], case, "accept", date(2026, 12, 4))
    with pytest.raises(Conflict):  # already accepted
        act(people["caseworker"], case, "refuse_acceptance", date(2026, 12, 5), {"reasons": ["x"]})
    assert Case.objects.get(pk=case.pk).state == "accepted"


def test_ineligible_after_hedui_gets_written_notice_with_objection_route(people, household):
    """审核确认权下放 plan 二(二)1：经信息核对，不符合当地低保、特困认定条件的，各乡镇应当及时书面告知申请人；
    申请人有异议的，应当提供相关证明材料，各乡镇应当……进行复核."""
    case = _verified(people, household)
    case = act(people["caseworker"], case, "notify_ineligible", date(2026, 12, 4),
               {"reason": "家庭成员名下存款超过规定限额"})
    notice = contexts(case, LATER)["ineligible_notice"]
    assert notice.header.doc_date == date(2026, 12, 4) and notice.report_date == date(2026, 12, 3)
    text = _text(case_document_pdf(case=case, kind="ineligible_notice", today=LATER)[1])
    assert "家庭成员名下存款超过规定限额" in text and "异议" in text and "证明材料" in text and "复核" in text
    assert household.head_name in text and "2026年12月4日" in text


def test_request_materials_issues_yicixing_gaozhi_listing_all_items(people, household):
    """审核确认权下放 plan 二(二)2：对材料不齐全的申请人员，要一次性告知需补正材料."""
    items = ["配偶的重病诊断证明", "子女在校就读证明", "承包土地流转合同"]
    case = act(people["caseworker"], _verified(people, household), "request_materials", date(2026, 12, 4),
               {"missing": items})
    notice = contexts(case, LATER)["materials_notice"]
    assert list(notice.items) == items and notice.header.doc_date == date(2026, 12, 4)
    text = _text(case_document_pdf(case=case, kind="materials_notice", today=LATER)[1])
    assert "一次性告知" in text and all(i in text for i in items) and "共3项" in text


def test_notices_are_in_the_yiren_yidang_archive_after_the_application(people, household):
    case = act(people["caseworker"], _verified(people, household), "request_materials", date(2026, 12, 4),
               {"missing": ["子女在校就读证明"]})
    case = act(people["caseworker"], case, "accept", date(2026, 12, 7))
    names = zipfile.ZipFile(io.BytesIO(case_file_zip(case=case, today=LATER)[1])).namelist()
    titles = [n.split("-", 1)[1] for n in names[1:]]
    assert titles == ["委托授权书.pdf", "申请家庭经济状况信息表.pdf", "社会救助申请书.pdf",
                      "申请材料补正一次性告知书.pdf", "申请最低生活保障(特困供养)受理告知书.pdf"]


def test_national_path_refuses_acceptance_from_submitted(people, household):
    from .flow import workflow_setting

    workflow_setting("330127000000", level="county", verify_first=False)
    case = submit(people["caseworker"], household, day=DAY)
    case = act(people["caseworker"], case, "refuse_acceptance", date(2026, 12, 2), {"reasons": ["不属于本乡镇受理范围"]})
    assert case.state == "not_accepted" and "non_acceptance_notice" in contexts(case, LATER)
