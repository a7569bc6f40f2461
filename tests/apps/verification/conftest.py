"""A hand-built household and department files whose every item is known.

张建国 (head) and 李秀英 (spouse) in 珍珠半岛村 (township A); obligors: 张小军 (child, valid ID),
张小红 (child, no ID number) and 王五 (sibling, an ID number with a wrong check digit, legacy data).
The department files (CSV) hold their rows plus rows of people unknown to the registry, a row with
an invalid ID number and a bad row. Expected values are in EXPECTED.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Obligor, Person
from jiuzhu.apps.registry.services import household_create
from jiuzhu.apps.verification.ingest import data_ingest
from jiuzhu.batch.datasets import DATASETS
from tests.apps.cases.flow import act, at, submit
from tests.conftest import AS_OF, VILLAGE_A, bad_check_digit, make_id

SNAP_DATE = date(2026, 11, 30)
MONTHS = [f"{y}-{m:02d}" for y, m in [(2025, 12)] + [(2026, m) for m in range(1, 12)]]


@pytest.fixture
def ids():
    return {"head": make_id(date(1965, 3, 8)), "spouse": make_id(date(1967, 9, 21), male=False),
            "son": make_id(date(1990, 1, 2)), "stranger": make_id(date(1980, 6, 6)),
            "sibling": make_id(date(1962, 2, 2))}


@pytest.fixture
def ver_household(caseworker, ids):
    data = {"region_code": VILLAGE_A, "residence_region_code": VILLAGE_A, "area_type": "rural",
            "address": "珍珠半岛村8号",
            "members": [{"name": "张建国", "id_number": ids["head"], "relation": "head"},
                        {"name": "李秀英", "id_number": ids["spouse"], "relation": "spouse"}],
            "obligors": [{"name": "张小军", "relation": "child", "supported_id_number": ids["head"],
                          "id_number": ids["son"]},
                         {"name": "张小红", "relation": "child", "supported_id_number": ids["head"]}]}
    hh = household_create(actor=caseworker, data=data, as_of=AS_OF)
    head = Person.objects.get(pk=hh.head_id)
    # legacy obligor whose ID number was stored unchecked (wrong check digit)
    enc, _, masked = pii.seal(bad_check_digit(ids["sibling"]), purpose="id_number")
    Obligor.objects.create(household=hh, supported=head, name="王五", relation="sibling", id_number_enc=enc,
                           id_number_masked=masked)
    Person.objects.filter(pk=head.pk).update(wage=1000)
    type(hh).objects.filter(pk=hh.pk).update(financial_assets=20000, residential_properties=1)
    hh.refresh_from_db()
    return hh


def _rows(ids):
    h, s, o, x = ids["head"], ids["spouse"], ids["son"], ids["stranger"]
    bad = bad_check_digit(x)
    return {
        "tax": [["id_number", "name", "month", "income_type", "income", "tax_paid"]]
        + [[h, "张建国", f"{m}-01", "工资薪金所得", "2000.00", "10"] for m in MONTHS]
        + [[h, "张建国", "2025-11-01", "wage", "9999", "0"],  # before the period: ignored
           [x, "陌生人", "2026-05-01", "wage", "8000", "0"], [bad, "错号", "2026-05-01", "wage", "1", "0"]]
        + [[o, "张小军", f"{m}-01", "wage", "5000", "0"] for m in MONTHS],
        "housing_fund": [["身份证号", "姓名", "月份", "单位名称", "缴存基数", "个人缴存额"]]
        + [[h, "张建国", f"{m}-01", "淳安县某厂", "1800", "126"] for m in MONTHS],
        "social_insurance": [["id_number", "name", "month", "kind", "scheme", "amount"]]
        + [[s, "李秀英", f"{m}-01", "pension", "resident", "300"] for m in MONTHS]
        + [[h, "张建国", f"{m}-01", "contribution", "employee", "200"] for m in MONTHS]
        + [[x, "陌生人", "2026-02-30", "pension", "resident", "300"]],  # impossible date: a reject
        "bank_deposit": [["id_number", "name", "institution", "account_tail", "product", "balance", "balance_date"],
                         [h, "张建国", "浙江农商银行", "1234", "deposit", "30000.00", "2026-11-30"],
                         [s, "李秀英", "中国邮政储蓄银行", "5678", "理财", "5000.50", "2026-11-30"],
                         [x, "陌生人", "中国农业银行", "0001", "deposit", "-5", "2026-11-30"]],
        "vehicle": [["id_number", "name", "plate_no", "vehicle_type", "registered_on", "value"],
                    [h, "张建国", "浙A12345", "car", "2020-05-01", "80000"],
                    [s, "李秀英", "浙A6789", "motorcycle", "2019-01-01", "3000"]],
        "real_estate": [["id_number", "name", "certificate_no", "usage", "area", "registered_on", "price"],
                        [h, "张建国", "浙(2015)淳安县不动产权第0000001号", "住宅", "96.5", "2015-03-01", "300000"],
                        [s, "李秀英", "浙(2018)淳安县不动产权第0000002号", "garage", "12", "2018-03-01", ""]],
        "market_entity": [["id_number", "name", "entity_name", "credit_code", "capacity", "entity_type",
                           "subscribed_capital", "status", "registered_on"],
                          [s, "李秀英", "淳安县秀英小吃店", "", "proprietor", "individual", "50000", "active",
                           "2021-04-01"]],
        "medical_expense": [["id_number", "name", "settled_on", "hospital", "total_cost", "self_paid"],
                            [s, "李秀英", "2026-03-15", "千岛湖镇卫生院", "4000", "1200"]],
        "disability": [["id_number", "name", "kind", "grade", "certified_on"],
                       [s, "李秀英", "肢体", "3", "2020-01-01"]],
        "hukou_death": [["id_number", "name", "hukou_region", "status", "event_date"],
                        [h, "张建国", VILLAGE_A, "normal", "1990-01-01"],
                        [s, "李秀英", VILLAGE_A, "normal", "1990-01-01"]],
    }


EXPECTED = {  # (person, item, group) → monthly or value amount, source, date
    ("张建国", "wage", "wage"): ("2000.00", "tax", "2026-11-01"),
    ("张建国", "income_tax", "income_tax"): ("10.00", "tax", "2026-11-01"),
    ("李秀英", "transfer", "pension_resident"): ("300.00", "social_insurance", "2026-11-01"),
    ("李秀英", "medical_extra", "medical"): ("100.00", "medical_expense", "2026-03-15"),
    ("张建国", "financial", ""): ("30000.00", "bank_deposit", "2026-11-30"),
    ("李秀英", "financial", ""): ("5000.50", "bank_deposit", "2026-11-30"),
    ("张建国", "vehicle", ""): ("80000.00", "vehicle", "2020-05-01"),
    ("张建国", "residential_property", ""): ("300000.00", "real_estate", "2015-03-01"),
    ("李秀英", "business_capital", ""): ("50000.00", "market_entity", "2021-04-01"),
}


@pytest.fixture
def department_files(tmp_path, ids):
    paths = {}
    for code, rows in _rows(ids).items():
        path = tmp_path / f"{code}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
        paths[code] = path
    return paths


@pytest.fixture
def ingested(department_files, county_user):
    return {code: data_ingest(actor=county_user, source=code, path=path, as_of=SNAP_DATE, now=at(SNAP_DATE))
            for code, path in department_files.items()}


@pytest.fixture
def verifying_case(ver_household, caseworker):
    day = SNAP_DATE - timedelta(days=2)
    case = submit(caseworker, ver_household, day=day)
    return act(caseworker, case, "request_verification", day + timedelta(days=1))


def assert_known_source(code):
    assert code in DATASETS
