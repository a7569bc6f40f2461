"""Ledger export: masked by default, full on request (audited), and export → import → export round-trips."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment.ledger_columns import HEADERS
from jiuzhu.apps.enrollment.ledger_export import ledger_export
from jiuzhu.apps.enrollment.ledger_import import ledger_import
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.conftest import AS_OF, COUNTY, TOWNSHIP_A

from .ledger_helpers import sample_rows, write_xlsx
from .standard_helpers import enroll, hh_factory  # noqa: F401


def cells(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def wipe_registry():
    Enrollment.objects.all().delete()
    Membership.objects.all().delete()
    Household.objects.all().delete()
    Person.objects.all().delete()


@pytest.fixture
def ledger(caseworker, tmp_path):
    ledger_import(actor=caseworker, path=write_xlsx(tmp_path / "in.xlsx", sample_rows()), region_code=TOWNSHIP_A,
                  as_of=AS_OF)


def test_round_trip_export_import_export(caseworker, ledger, hh_factory, tmp_path):
    # given the imported ledger plus a household enrolled by a case (amount from the rules)
    enroll(hh_factory(incomes=(100, 100)))
    first = tmp_path / "first.xlsx"
    # when exported in full, the registry emptied, and the export imported back
    result = ledger_export(actor=caseworker, region_code=TOWNSHIP_A, path=first, full=True)
    assert (result["households"], result["rows"], result["enrollments"], result["skipped"]) == (4, 7, 4, [])
    wipe_registry()
    again = ledger_import(actor=caseworker, path=first, region_code=TOWNSHIP_A, as_of=AS_OF)
    assert (again["households"], again["persons"], again["enrollments"]) == (4, 7, 4)
    second = tmp_path / "second.xlsx"
    ledger_export(actor=caseworker, region_code=TOWNSHIP_A, path=second, full=True)
    # then the two exports are identical cell by cell
    a, b = cells(first), cells(second)
    assert a[0] == list(HEADERS) and a == b
    head = a[1]
    assert head[HEADERS.index("保障类别")] == "低保" and head[HEADERS.index("月保障金(元)")] == 2341.8
    assert head[HEADERS.index("起始月份")] == "2026-01" and len(head[HEADERS.index("成员身份证号")]) == 18
    # and the full export was audited
    assert AuditEvent.objects.filter(action="ledger.export_full", subject_id=TOWNSHIP_A).count() == 2


def test_masked_by_default_and_not_importable(caseworker, ledger, tmp_path):
    path = tmp_path / "masked.xlsx"
    ledger_export(actor=caseworker, region_code=TOWNSHIP_A, path=path)
    rows = cells(path)
    ids = [r[HEADERS.index("成员身份证号")] for r in rows[1:]]
    assert all("**********" in i for i in ids)
    assert rows[1][HEADERS.index("银行账号")] == "6228***********8901"
    wipe_registry()
    with pytest.raises(ValidationFailed) as exc:
        ledger_import(actor=caseworker, path=path, region_code=TOWNSHIP_A, as_of=AS_OF)
    assert any(e["column"] == "成员身份证号" and e["row"] == 2 for e in exc.value.details["errors"])


def test_export_scope_and_roles(outsider, village_user, county_user, reviewer, ledger, tmp_path):
    # another township's caseworker sees nothing of township A when exporting their own township
    result = ledger_export(actor=outsider, region_code="330127101000", path=tmp_path / "b.xlsx")
    assert result["rows"] == 0
    # county staff export the whole county; a village assistant or reviewer may not export
    assert ledger_export(actor=county_user, region_code=COUNTY, path=tmp_path / "c.xlsx")["households"] == 3
    for actor in (village_user, reviewer):
        with pytest.raises(Forbidden):
            ledger_export(actor=actor, region_code=TOWNSHIP_A, path=tmp_path / "x.xlsx")
