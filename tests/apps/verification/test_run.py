"""Verification of one case: each item on the right person with the right amount and date, asset
rules of the region, differences, persons not verifiable, reproducible digest, PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from jiuzhu.apps.verification.files import absolute
from jiuzhu.apps.verification.models import VerificationReport
from jiuzhu.apps.verification.services import verification_run
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at

from .conftest import EXPECTED, SNAP_DATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(ingested, verifying_case, county_user):
    return verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)


def test_each_item_on_the_right_person_with_amount_and_date(report):
    data = report.data
    counted = {}
    for it in data["items"]:
        if it["role"] == "member" and it["counted"]:
            key = (it["name"], it["item"], it["group"] if it["category"] in ("income", "deduction") else "")
            counted.setdefault(key, []).append((it["amount"], it["source"], it["as_of"]))
    for key, expected in EXPECTED.items():
        assert expected in counted.get(key, []), key
    # the provident-fund base is the same wage seen by another department: listed, the larger one counts
    wage = [p for p in data["persons"] if p["name"] == "张建国"][0]["monthly"]
    assert wage["wage"] == "2000.00" and wage["social_insurance"] == "326.00"
    # the motorcycle and the garage are listed but not counted
    exempt = {(it["item"], it["counted"]) for it in data["items"] if it["name"] == "李秀英"}
    assert ("vehicle_exempt", False) in exempt and ("non_residential_property", False) in exempt
    # the stranger's rows match nobody; the obligor's income is his own
    assert all(it["name"] in ("张建国", "李秀英", "张小军") for it in data["items"])
    son = [p for p in data["persons"] if p["name"] == "张小军"][0]
    assert son["monthly"] == {"wage": "5000.00"}


def test_totals_asset_rules_and_differences(report):
    t = report.data["totals"]
    assert t["monthly"]["wage"] == "2000.00" and t["monthly"]["transfer"] == "300.00"
    assert t["net_monthly"] == "1864.00"  # 2000 + 300 − 326 − 10 − 100
    assert (t["financial"], t["vehicles"], t["residential_properties"]) == ("35000.50", 1, 1)
    # reference policy: car worth 80 000 > 50 000 (R-AST-04); financial 35 000.50 ≤ 24 × 830 × 2
    assert report.data["asset_test"]["failures"] == ["AST_VEHICLE"]
    assert report.data["asset_flags"] == {"AST_FINANCIAL": False, "AST_VEHICLE": True, "AST_PROPERTY": False,
                                          "AST_BUSINESS": False}
    diffs = {(d["name"], d["item"]): (d["declared"], d["verified"]) for d in report.data["differences"]}
    assert diffs[("张建国", "工资性收入（元/月）")] == ("1000.00", "2000.00")
    assert diffs[("李秀英", "转移净收入（元/月）")] == ("0.00", "300.00")
    assert diffs[("全户", "金融资产（元）")] == ("20000.00", "35000.50")
    assert ("全户", "住房（套）") not in diffs
    assert ("李秀英", "残疾类别、等级") in diffs
    assert report.conclusion == "inconsistent"


def test_persons_without_valid_id_named_not_verifiable(report):
    named = {p["name"]: p["reason"] for p in report.data["not_verifiable"]}
    assert named == {"张小红": "未登记身份证号", "王五": "身份证号校验位错误，请核对后重新输入"}
    persons = {p["name"]: p["verifiable"] for p in report.data["persons"]}
    assert persons == {"张建国": True, "李秀英": True, "张小军": True, "张小红": False, "王五": False}


def test_same_request_same_snapshots_same_digest(report, verifying_case, county_user):
    again = verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)
    assert again.pk != report.pk
    assert again.digest == report.digest and again.data == report.data
    assert again.request.digest == report.request.digest


def test_pdf_has_household_name_and_an_amount(ingested, verifying_case, county_user):
    report = verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(absolute(report.pdf_path).read_bytes())).pages)
    assert "张建国" in text and "80000.00" in text and "家庭经济状况核对报告" in text


def test_scope_attack_from_another_township(ingested, verifying_case, outsider):
    with pytest.raises(NotFound):
        verification_run(actor=outsider, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)
    assert not VerificationReport.objects.exists()


def test_village_assistant_may_not_run(ingested, verifying_case, village_user):
    with pytest.raises(Forbidden):
        verification_run(actor=village_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)


def test_no_snapshot_yet_is_a_clear_error(verifying_case, county_user):
    with pytest.raises(ValidationFailed) as exc:
        verification_run(actor=county_user, case_id=verifying_case.pk, now=at(SNAP_DATE), pdf=False)
    assert exc.value.code == "verification.no_data" and "jiuzhu data ingest" in exc.value.message
