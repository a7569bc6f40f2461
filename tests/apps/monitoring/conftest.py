"""A small monitored population and department files whose every alert is known.

Households (scan date 2026-11-20; event window 2026-08-23 … 2026-11-20; medical period from
2025-12-01; threshold 20 000 yuan; the demo county's parameters, 330000000000.yaml):

* 张家 (珍珠半岛村, township A, dibao): 张建国 head, 李秀英 spouse, 张小明 child (college);
* 王家 (宋家湖村, township A, 低保边缘 in the register): 王五;
* 刘家 (珍珠半岛村, dibao stopped 2025-06 — left within 2 years): 刘六;
* 陈家 (珍珠半岛村, dibao stopped 2024-06 — left more than 2 years ago: not monitored): 陈七;
* 周家 (珍珠半岛村, never assisted: not monitored): 周八;
* 赵家 (王家源村, township B, dibao): 赵九.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest

from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.registry.models import Person
from jiuzhu.apps.registry.services import household_create
from jiuzhu.apps.verification.ingest import data_ingest
from tests.apps.cases.flow import at
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.conftest import AS_OF, VILLAGE_A, VILLAGE_A2, VILLAGE_B, make_id

SCAN = date(2026, 11, 20)
NOW = at(SCAN)


def _household(actor, village, members, address="1号"):
    data = {"region_code": village, "residence_region_code": village, "area_type": "rural", "address": address,
            "members": [{"name": n, "id_number": i, "relation": r} for n, i, r in members]}
    return household_create(actor=actor, data=data, as_of=AS_OF)


@pytest.fixture
def ids():
    return {"head": make_id(date(1965, 3, 8)), "spouse": make_id(date(1967, 9, 21), male=False),
            "child": make_id(date(2008, 1, 2)), "wang": make_id(date(1970, 1, 1)), "liu": make_id(date(1980, 2, 2)),
            "chen": make_id(date(1981, 3, 3)), "zhou": make_id(date(1982, 4, 4)), "zhao": make_id(date(1983, 5, 5))}


@pytest.fixture
def homes(caseworker, outsider, ids):
    zhang = _household(caseworker, VILLAGE_A, [("张建国", ids["head"], "head"), ("李秀英", ids["spouse"], "spouse"),
                                               ("张小明", ids["child"], "child")])
    wang = _household(caseworker, VILLAGE_A2, [("王五", ids["wang"], "head")])
    liu = _household(caseworker, VILLAGE_A, [("刘六", ids["liu"], "head")])
    chen = _household(caseworker, VILLAGE_A, [("陈七", ids["chen"], "head")])
    zhou = _household(caseworker, VILLAGE_A, [("周八", ids["zhou"], "head")])
    zhao = _household(outsider, VILLAGE_B, [("赵九", ids["zhao"], "head")])
    make_enrollment(zhang)
    make_enrollment(zhao)
    make_enrollment(liu, status="stopped", start=date(2024, 1, 1)).__class__.objects.filter(
        household=liu).update(stopped_month=date(2025, 6, 1))
    make_enrollment(chen, status="stopped", start=date(2023, 1, 1)).__class__.objects.filter(
        household=chen).update(stopped_month=date(2024, 6, 1))
    LowIncomeEntry.objects.create(household=wang, region_id=wang.region_id, category="edge",
                                  recognized_on=date(2026, 3, 1), created_at=NOW)
    return {"zhang": zhang, "wang": wang, "liu": liu, "chen": chen, "zhou": zhou, "zhao": zhao}


def person(name: str) -> Person:
    return Person.objects.get(name=name)


def _rows(ids):
    h, s, c, w, lu, ch, zh, zo = (ids[k] for k in ("head", "spouse", "child", "wang", "liu", "chen", "zhou", "zhao"))
    return {
        "medical_expense": [["id_number", "name", "settled_on", "hospital", "total_cost", "self_paid"],
                            # 12000 + 8000.01 = 20000.01 > 20000: fires
                            [h, "张建国", "2026-03-15", "淳安县第一人民医院", "30000", "12000.00"],
                            [h, "张建国", "2025-12-01", "淳安县第一人民医院", "20000", "8000.01"],
                            [h, "张建国", "2025-11-30", "淳安县第一人民医院", "90000", "50000"],  # before the period
                            # exactly 20000.00: not over the threshold
                            [s, "李秀英", "2026-05-01", "千岛湖镇卫生院", "40000", "20000.00"],
                            [w, "王五", "2026-06-01", "浙江省人民医院", "80000", "25000"],
                            [zh, "周八", "2026-06-01", "浙江省人民医院", "80000", "25000"]],  # not monitored
        "disability": [["id_number", "name", "kind", "grade", "certified_on"],
                       [s, "李秀英", "肢体", "2", "2026-10-15"],  # severe, new: fires
                       [h, "张建国", "visual", "3", "2026-10-15"],  # grade 3: not severe
                       [w, "王五", "physical", "1", "2026-08-22"],  # a day before the window
                       [lu, "刘六", "mental", "1", "2026-08-23"]],  # first day of the window: fires
        "hukou_death": [["id_number", "name", "hukou_region", "status", "event_date"],
                        [h, "张建国", VILLAGE_A, "deceased", "2026-11-01"],
                        [s, "李秀英", VILLAGE_A, "normal", "1990-01-01"],
                        [w, "王五", VILLAGE_A2, "deceased", "2026-11-21"]],  # after the scan date
        "unemployment": [["id_number", "name", "registered_on", "ended_on", "benefit"],
                         [s, "李秀英", "2026-06-01", "", "1800"],  # open: fires
                         [c, "张小明", "2026-06-01", "2026-11-20", "0"],  # ended on the scan date: closed
                         [lu, "刘六", "2026-01-05", "2026-12-31", "1800"],  # ends later: open, fires
                         [ch, "陈七", "2026-01-05", "", "1800"],  # left > 2 years ago: not monitored
                         [zo, "赵九", "2026-02-01", "", "1800"]],  # township B
        "student": [["id_number", "name", "school", "stage", "school_type", "tuition", "enrolled_on", "left_on"],
                    [c, "张小明", "浙江某某学院", "college", "public", "5500", "2026-09-01", ""],  # fires
                    [c, "张小明", "淳安县中学", "senior", "public", "0", "2023-09-01", "2026-06-30"]],  # old
        "vehicle": [["id_number", "name", "plate_no", "vehicle_type", "registered_on", "value"],
                    [s, "李秀英", "浙A11111", "car", "2026-10-01", "60000"],  # new car of a recipient: fires
                    [h, "张建国", "浙A22222", "motorcycle", "2026-10-01", "3000"],  # motorcycle: no
                    [w, "王五", "浙A33333", "car", "2026-10-01", "60000"]],  # edge household: no
        "real_estate": [["id_number", "name", "certificate_no", "usage", "area", "registered_on", "price"],
                        [h, "张建国", "浙(2015)淳安县不动产权第0000001号", "住宅", "96.5", "2015-03-01", "300000"]],
    }


EXPECTED = {("medical_expense", "张建国"), ("medical_expense", "王五"), ("severe_disability", "李秀英"),
            ("severe_disability", "刘六"), ("death", "张建国"), ("unemployment", "李秀英"), ("unemployment", "刘六"),
            ("school_entry", "张小明"), ("new_vehicle", "李秀英")}


def write_files(tmp_path, rows) -> dict:
    paths = {}
    for code, table in rows.items():
        path = tmp_path / f"{code}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(table)
        paths[code] = path
    return paths


@pytest.fixture
def snapshots(tmp_path, ids, county_user, homes):
    paths = write_files(tmp_path, _rows(ids))
    return {code: data_ingest(actor=county_user, source=code, path=path, as_of=SCAN, now=NOW)
            for code, path in paths.items()}
