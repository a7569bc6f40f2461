"""Issue 18 §4: a name that looks like a formula reaches the bank file as text — a leading ' in CSV,
a string cell in xlsx — while the amounts and accounts the bank reads stay exactly as they were."""

from __future__ import annotations

import zipfile

from python_calamine import CalamineWorkbook

from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare
from tests.conftest import COUNTY, VILLAGE_A

from .conftest import MONTH, NOW, enroll, make_household
from .test_export import accounts, rows_of

FORMULA = '=HYPERLINK("http://evil.example/","点我")'


def _approved_with_formula_names(world):
    household = make_household(VILLAGE_A, head=FORMULA, bank_name="@SUM(1+1)")
    enroll(household, amount="321.50")
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    return payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)


def test_csv_bank_file_prefixes_formula_names_but_not_amounts(world):
    # given an approved batch paying a household whose head's name and bank look like formulas
    approved = _approved_with_formula_names(world)
    # when the bank file is written as CSV
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, now=NOW)
    # then those text cells start with a quote; amounts, accounts and the others are unchanged
    rows = {r[4]: r for r in rows_of(path)[1:]}
    assert rows["321.50"][1] == "'" + FORMULA and rows["321.50"][3] == "'@SUM(1+1)"
    assert rows["650.00"][1] == "张建国" and rows["650.00"][2] == accounts(world)["a1"]


def test_fen_layout_amounts_stay_numbers(world):
    # given the same batch written in the Postal Savings Bank's fen layout
    approved = _approved_with_formula_names(world)
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, layout="psbc_fen", now=NOW)
    # then the amount column holds plain integers and only the name is prefixed
    rows = rows_of(path, encoding="gbk")[1:]
    assert sorted(r[3] for r in rows) == sorted(["32150", "65000", "120050", "80000", "99999"])
    assert {r[2] for r in rows if r[3] == "32150"} == {"'" + FORMULA}


def test_xlsx_bank_file_writes_formula_names_as_text(world):
    # given the same batch written as xlsx
    approved = _approved_with_formula_names(world)
    _, path = payroll_export(actor=world.maker, batch_id=approved.pk, fmt="xlsx", now=NOW)
    # then the name is a string cell (no formula anywhere in the sheet) and the amount a number
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    row = next(r for r in rows[1:] if r[1] == FORMULA)
    assert row[4] == 321.5
