"""Regions: code helpers, all-or-nothing CSV import, subtree queries."""

from __future__ import annotations

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.regions import codes
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope, scope_q
from jiuzhu.apps.regions.selectors import regions_in_scope, villages_in_scope
from jiuzhu.apps.regions.services import regions_import
from jiuzhu.rules.errors import ValidationFailed
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_B


@pytest.mark.parametrize(
    "case, code, level, low, high",
    [
        ("province", "330000000000", 1, "330000000000", "339999999999"),
        ("city", "330100000000", 2, "330100000000", "330199999999"),
        ("county", "330127000000", 3, "330127000000", "330127999999"),
        ("township", "330127100000", 4, "330127100000", "330127100999"),
        ("village", "330127100201", 5, "330127100201", "330127100201"),
    ],
)
def test_level_and_subtree_range(case, code, level, low, high):
    assert codes.level_of(code) == level, case
    assert codes.subtree_range(code) == (low, high), case
    assert codes.in_subtree(code, code)


@pytest.mark.parametrize(
    "case, code, expected",
    [
        ("province has none", "330000000000", []),
        ("county", "330127000000", ["330000000000", "330100000000"]),
        ("village", "330127100201", ["330000000000", "330100000000", "330127000000", "330127100000"]),
        ("town of a city without counties (东莞)", "441900003000", ["440000000000", "441900000000"]),
        ("village of such a town", "441900003001", ["440000000000", "441900000000", "441900003000"]),
    ],
)
def test_ancestors_and_parent(case, code, expected):
    assert codes.ancestors(code) == expected, case
    assert codes.parent_of(code) == (expected[-1] if expected else None)


@pytest.mark.parametrize(
    "case, code, root, inside",
    [
        ("village in its township", VILLAGE_A, TOWNSHIP_A, True),
        ("village of another township", VILLAGE_B, TOWNSHIP_A, False),
        ("township in county", TOWNSHIP_B, COUNTY, True),
        ("neighbouring county", "330122100201", COUNTY, False),
        ("parent is not inside child", TOWNSHIP_A, VILLAGE_A, False),
    ],
)
def test_in_subtree(case, code, root, inside):
    assert codes.in_subtree(code, root) is inside, case


@pytest.mark.parametrize(
    "case, code, valid",
    [("ok", "330127100201", True), ("11 digits", "33012710020", False), ("letters", "33012710020A", False),
     ("00 province", "000000000000", False), ("empty", "", False)],
)
def test_is_valid_code(case, code, valid):
    assert codes.is_valid_code(code) is valid, case


GOOD = """区划代码,名称,上级代码
330000000000,浙江省,
330100000000,杭州市,330000000000
330122000000,桐庐县,330100000000
330122100000,城南街道,330122000000
330122100201,金东村,330122100000
"""


@pytest.mark.django_db
def test_good_file_imports_with_full_names():
    # when
    result = regions_import(actor=None, text=GOOD)
    # then
    assert result == {"created": 5, "updated": 0, "rows": 5}
    village = Region.objects.get(code="330122100201")
    assert village.level == 5 and village.parent_id == "330122100000"
    assert village.full_name == "浙江省杭州市桐庐县城南街道金东村"
    assert AuditEvent.objects.filter(action="regions.import").count() == 1
    # and importing again updates instead of duplicating
    assert regions_import(actor=None, text=GOOD)["updated"] == 5


@pytest.mark.django_db
def test_city_without_counties_imports():
    text = ("440000000000,广东省,\n441900000000,东莞市,440000000000\n441900003000,东城街道,441900000000\n"
            "441900003001,东城社区,441900003000\n")
    assert regions_import(actor=None, text=text)["created"] == 4
    town = Region.objects.get(code="441900003000")
    assert town.level == 4 and town.parent_id == "441900000000" and town.full_name == "广东省东莞市东城街道"
    assert codes.in_subtree("441900003001", "441900000000")


@pytest.mark.django_db
def test_child_before_parent_in_file_is_fine():
    lines = GOOD.strip().splitlines()
    text = "\n".join([lines[0], *reversed(lines[1:])])
    assert regions_import(actor=None, text=text)["created"] == 5


BAD_ROWS = [
    ("bad code", "33012210020X,某村,330122100000", "code"),
    ("short code", "3301221002,某村,330122100000", "code"),
    ("missing parent", "330122101201,某村,330122101000", "parent_code"),
    ("parent mismatch", "330122100202,某村,330122000000", "parent_code"),
    ("duplicate", "330122100201,金东村二,330122100000", "code"),
    ("empty name", "330122100203,,330122100000", "name"),
    ("province with a parent", "340000000000,安徽省,330000000000", "parent_code"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case, bad_line, field", BAD_ROWS)
def test_one_bad_row_imports_nothing_and_names_the_row(case, bad_line, field):
    # given a good file with one bad row appended as line 7
    text = GOOD + bad_line + "\n"
    regions_before, events_before = Region.objects.count(), AuditEvent.objects.count()
    # when
    with pytest.raises(ValidationFailed) as exc:
        regions_import(actor=None, text=text)
    # then the bad row is reported by number and field, and nothing was imported
    errors = exc.value.details["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(7, field)], case
    assert errors[0]["message"].startswith("第7行")
    assert exc.value.code == "regions.invalid_rows"
    assert Region.objects.count() == regions_before == 0
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_all_bad_rows_are_listed():
    text = GOOD + "\n".join(line for _, line, _ in BAD_ROWS[:3]) + "\n"
    with pytest.raises(ValidationFailed) as exc:
        regions_import(actor=None, text=text)
    assert [e["row"] for e in exc.value.details["errors"]] == [7, 8, 9]
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_empty_file():
    with pytest.raises(ValidationFailed) as exc:
        regions_import(actor=None, text="")
    assert exc.value.code == "regions.empty"


@pytest.mark.django_db
def test_parent_already_in_the_database_is_accepted(regions):
    result = regions_import(actor=None, text="330127100203,新村,330127100000\n")
    assert result["created"] == 1
    assert Region.objects.get(code="330127100203").full_name.endswith("千岛湖镇新村")


@pytest.mark.parametrize(
    "case, actor_fixture, visible_villages",
    [
        ("township A caseworker", "caseworker", {"330127100001", "330127100002", VILLAGE_A, "330127100202"}),
        ("village assistant", "village_user", {VILLAGE_A}),
        ("outsider of township B", "outsider", {"330127101001", VILLAGE_B, "330127101202", "330127101203"}),
    ],
)
def test_subtree_queries(request, case, actor_fixture, visible_villages):
    # given a persona
    actor = request.getfixturevalue(actor_fixture)
    # when listing villages in scope
    villages = set(villages_in_scope(actor=actor).values_list("code", flat=True))
    # then only their subtree appears
    assert villages == visible_villages, case
    all_in_scope = set(Region.objects.filter(scope_q(actor, "code")).values_list("code", flat=True))
    assert all(codes.in_subtree(c, actor.region_id) for c in all_in_scope)
    assert all(in_scope(actor, c) for c in all_in_scope)


def test_county_sees_all_townships(county_user):
    townships = list(regions_in_scope(actor=county_user, level=4).values_list("code", flat=True))
    assert townships == ["330127100000", "330127101000", "330127102000"]
    assert regions_in_scope(actor=county_user).count() == Region.objects.filter(code__startswith="330127").count()


def test_inactive_actor_sees_nothing(caseworker):
    caseworker.is_active = False
    assert not villages_in_scope(actor=caseworker).exists()
    assert not in_scope(caseworker, VILLAGE_A)
