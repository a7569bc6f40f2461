"""A small caseload and department files whose every 自查自纠 hit is known (as-of 2026-11-30; the demo
county's parameters: deposits above 50 000 yuan, public-employer contributions since 2026-09-01).

* 张家 (珍珠半岛村, township A, dibao from 2026-01): 张建国 head — car (vehicle), 民政局 provident fund in
  2026-11 (public_salary), 60 000.01 in two accounts (large_deposit); 李秀英 spouse — an active shop
  (business), a flat bought 2026-06 (property_purchase), died 2026-10-15 (death); the household's last
  verification gives 1500.00 a head against the 1301 standard (above_line); its case met the survey
  deadline 3 days late (late_approval); 张建国 is a village assistant's registered brother and the case
  was not filed as 近亲属备案 (relatives_unfiled); 张建国 has been serving a sentence since 2026-05 (prison).
* 钱家 (珍珠半岛村, dibao): 钱一 — the clean person: a motorcycle, a cancelled company, a company's
  provident fund, a flat from before the enrollment, exactly 50 000.00 in deposits, alive; verified at
  1000.00 a head; case deadlines met in time; a registered relative of staff whose case was filed as
  近亲属备案; a prison term that ended before the enrollment.
* 赵家 (王家源村, township B, dibao): 赵九 — a car (the other township's hit).
* 周家 (珍珠半岛村, not enrolled): 周八 — every kind of hit (a registered relative too), never reported.
* 赵九 is in the register too, but that entry was removed.
"""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.cases.models import Case, CaseDeadline
from jiuzhu.apps.registry.models import Person
from jiuzhu.apps.verification.models import VerificationReport, VerificationRequest
from tests.apps.cases.flow import at
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.apps.monitoring.conftest import _household, write_files
from tests.conftest import VILLAGE_A, VILLAGE_B, _user, make_id

AS_OF = date(2026, 11, 30)
NOW = at(date(2026, 12, 7))
ALL_CHECKS = ["vehicle", "business", "public_salary", "property_purchase", "death", "large_deposit", "above_line",
              "late_approval", "relatives_unfiled", "prison"]
EXPECTED = {("vehicle", "张建国"), ("public_salary", "张建国"), ("large_deposit", "张建国"), ("business", "李秀英"),
            ("property_purchase", "李秀英"), ("death", "李秀英"), ("above_line", "张建国"), ("late_approval", "张建国"),
            ("relatives_unfiled", "张建国"), ("prison", "张建国"), ("vehicle", "赵九")}


@pytest.fixture
def sc_ids():
    return {"zhang": make_id(date(1965, 3, 8)), "li": make_id(date(1967, 9, 21), male=False),
            "qian": make_id(date(1970, 1, 1)), "zhao": make_id(date(1983, 5, 5)), "zhou": make_id(date(1982, 4, 4))}


def _case(household, actor, enrollment, *, per_capita: str, late: bool, filed: bool = False):
    head = Person.objects.get(pk=household.head_id)
    case = Case.objects.create(program="dibao", household=household, applicant=head, region_id=household.region_id,
                               channel="window", state="approved", is_open=False, submitted_at=at(date(2025, 12, 1)),
                               created_by=actor, relative_flag=filed)
    enrollment.case = case
    enrollment.save(update_fields=["case"])
    CaseDeadline.objects.create(case=case, step="survey", amount=10, starts_on=date(2025, 12, 1),
                                due=date(2025, 12, 12), status="met", met_on=date(2025, 12, 15 if late else 10))
    request = VerificationRequest.objects.create(kind="case", region_id=household.region_id, as_of=date(2026, 6, 1),
                                                 created_at=at(date(2026, 6, 1)))
    VerificationReport.objects.create(request=request, case=case, household=household, region_id=household.region_id,
                                      as_of=date(2026, 6, 1), conclusion="consistent", digest="x",
                                      data={"totals": {"per_capita_monthly": per_capita}}, created_at=at(date(2026, 6, 1)))


@pytest.fixture
def caseload(caseworker, outsider, sc_ids):
    zhang = _household(caseworker, VILLAGE_A, [("张建国", sc_ids["zhang"], "head"), ("李秀英", sc_ids["li"], "spouse")])
    qian = _household(caseworker, VILLAGE_A, [("钱一", sc_ids["qian"], "head")], address="2号")
    zhao = _household(outsider, VILLAGE_B, [("赵九", sc_ids["zhao"], "head")])
    _household(caseworker, VILLAGE_A, [("周八", sc_ids["zhou"], "head")], address="3号")
    start = date(2026, 1, 1)
    enrollments = {"zhang": make_enrollment(zhang, start=start), "qian": make_enrollment(qian, start=start),
                   "zhao": make_enrollment(zhao, start=start)}
    _case(zhang, caseworker, enrollments["zhang"], per_capita="1500.00", late=True)
    _case(qian, caseworker, enrollments["qian"], per_capita="1000.00", late=False, filed=True)
    _register(sc_ids)
    return {"zhang": zhang, "qian": qian, "zhao": zhao, "enrollments": enrollments}


def _register(ids):
    """The staff near-relatives register: a village assistant's brother 张建国 (not filed), 钱一 (filed),
    周八 (not enrolled) and 赵九 (entry removed)."""
    from jiuzhu.apps.integrity import relatives

    staff = _user("v_relatives", Role.VILLAGE, VILLAGE_A)
    for key, name in (("zhang", "张建国"), ("qian", "钱一"), ("zhou", "周八"), ("zhao", "赵九")):
        row = relatives.relative_declare(actor=staff, now=at(date(2026, 3, 2)),
                                         data={"name": name, "relation": "sibling", "id_number": ids[key]})
    relatives.relative_remove(actor=staff, relative_id=row.pk, now=at(date(2026, 3, 3)), reason="登记错误")


def _rows(ids):
    z, li, q, zo, zh = (ids[k] for k in ("zhang", "li", "qian", "zhao", "zhou"))
    return {
        "vehicle": [["id_number", "name", "plate_no", "vehicle_type", "registered_on", "value"],
                    [z, "张建国", "浙A11111", "car", "2026-10-01", "60000"],
                    [q, "钱一", "浙A22222", "motorcycle", "2026-10-01", "3000"],
                    [zo, "赵九", "浙A33333", "truck", "2025-01-01", "90000"],
                    [zh, "周八", "浙A44444", "car", "2026-10-01", "60000"]],
        "market_entity": [["id_number", "name", "entity_name", "credit_code", "capacity", "entity_type",
                           "subscribed_capital", "status", "registered_on"],
                          [li, "李秀英", "淳安县秀英小吃店", "", "proprietor", "individual", "10000", "active", "2025-05-01"],
                          [q, "钱一", "淳安县某某公司", "", "shareholder", "company", "50000", "cancelled", "2020-01-01"],
                          [zh, "周八", "某某公司", "", "shareholder", "company", "50000", "active", "2020-01-01"]],
        "housing_fund": [["id_number", "name", "month", "employer", "base", "contribution"],
                         [z, "张建国", "2026-11-01", "淳安县民政局", "6000", "720"],
                         [li, "李秀英", "2026-08-01", "淳安县人民政府", "6000", "720"],  # before the look-back
                         [q, "钱一", "2026-11-01", "杭州某某有限公司", "3000", "360"],
                         [zh, "周八", "2026-11-01", "淳安县民政局", "6000", "720"]],
        "real_estate": [["id_number", "name", "certificate_no", "usage", "area", "registered_on", "price"],
                        [li, "李秀英", "浙(2026)淳安县不动产权第0000002号", "住宅", "88", "2026-06-01", "420000"],
                        [q, "钱一", "浙(2015)淳安县不动产权第0000001号", "住宅", "96.5", "2015-03-01", "300000"],
                        [zh, "周八", "浙(2026)淳安县不动产权第0000003号", "住宅", "96.5", "2026-06-01", "300000"]],
        "hukou_death": [["id_number", "name", "hukou_region", "status", "event_date"],
                        [li, "李秀英", VILLAGE_A, "deceased", "2026-10-15"],
                        [q, "钱一", VILLAGE_A, "normal", "1990-01-01"],
                        [zh, "周八", VILLAGE_A, "deceased", "2026-10-15"]],
        "bank_deposit": [["id_number", "name", "institution", "account_tail", "product", "balance", "balance_date"],
                         [z, "张建国", "农业银行", "1234", "deposit", "30000.00", "2026-11-30"],
                         [z, "张建国", "邮储银行", "5678", "wealth", "30000.01", "2026-11-30"],
                         [q, "钱一", "农业银行", "1111", "deposit", "50000.00", "2026-11-30"],  # equal: no hit
                         [zh, "周八", "农业银行", "2222", "deposit", "90000.00", "2026-11-30"]],
        "prison": [["id_number", "name", "start_on", "end_on", "court"],
                   [z, "张建国", "2026-05-01", "", "淳安县人民法院"],
                   [q, "钱一", "2010-01-01", "2012-06-30", "淳安县人民法院"],  # released before the enrollment
                   [zh, "周八", "2026-05-01", "", "淳安县人民法院"]],
    }


@pytest.fixture
def sc_snapshots(tmp_path, sc_ids, county_user, caseload):
    from jiuzhu.apps.verification.ingest import data_ingest

    paths = write_files(tmp_path, _rows(sc_ids))
    return {code: data_ingest(actor=county_user, source=code, path=path, as_of=AS_OF, now=at(AS_OF))
            for code, path in paths.items()}
