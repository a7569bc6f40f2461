"""The monthly statistical return: hand-counted figures of the small world, totals equal to the payroll
ledger to the fen, a mismatch refuses the export, xlsx and PDF readable, the CLI, bad input and scope."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.stats.models import StatFact
from jiuzhu.apps.stats.monthly_return import LedgerMismatch
from jiuzhu.apps.stats.return_export import monthly_return, return_export
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

from .conftest import NOV, NOW, lines_off_by

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)


def rows_of(panel) -> dict[str, list]:
    return {r[0]: r for r in panel.rows}


def build(actor=None, month="2026-11", region=COUNTY):
    return monthly_return(actor=actor, month=month, region_code=region, today=TODAY)


def test_figures_equal_the_hand_counted_world(stats_world):
    # given the world (A: 650 and 1200.50 dibao, a tekun person in 集中供养; B: 999.99 stopped in December
    # and 700 changed to 500 in December); when November's return is built
    data = build()
    enrolled, paid, flows, temporary = (rows_of(t) for t in data.tables)
    # then enrolled: A has one rural and one urban dibao household, B two rural; tekun 1 centralized in A
    assert enrolled["千岛湖镇"][1:7] == [1, 3, 1, 2, 2, 5]
    assert enrolled["文昌镇"][1:7] == [0, 0, 2, 6, 2, 6]
    assert enrolled["千岛湖镇"][7:13] == [0, 1, 1, 0, 0, 1]
    assert enrolled["文昌镇"][13] == 1  # the edge household
    assert enrolled["合计"][5:7] == [4, 11]
    # paid: hand sums, 人均补差 rounded to the fen
    assert paid["千岛湖镇"][1:5] == [2, 5, Decimal("1850.50"), Decimal("370.10")]
    assert paid["文昌镇"][3:5] == [Decimal("1699.99"), Decimal("283.33")]  # 1699.99 / 6 = 283.3316…
    assert paid["千岛湖镇"][6] == Decimal("800.00")
    assert paid["合计"][8] == Decimal("4350.49")
    # flows: A's new and adjusted dibao enrollments of November; nothing stopped
    assert flows["千岛湖镇"][1:4] == [1, 1, 0] and flows["合计"][1:7] == [1, 1, 0, 0, 0, 0]
    # temporary assistance: no temporary case paid in this world (issue 17 §2: from the cases, not the register)
    assert temporary["千岛湖镇"][1:4] == [0, 0, 0] and temporary["合计"][4] == Decimal("0.00")
    # nothing is stored: the return does not touch the dashboard facts
    assert not StatFact.objects.exists()


def test_totals_equal_the_payroll_ledger_to_the_fen(stats_world):
    # given the ledger summed line by line in Decimal from the payment lines of approved batches
    ledger = sum((line.amount for line in PaymentLine.objects.filter(month=NOV, batch__status="approved")
                  .exclude(status="failed")), Decimal(0))
    # when the return is built
    data = build()
    # then the paid total and the check table agree with the ledger exactly, every row 一致
    assert data.balanced and ledger == Decimal("4350.49")
    assert rows_of(data.tables[1])["合计"][8] == ledger
    check = rows_of(data.check)
    assert check["合计"][2:5] == [ledger, ledger, Decimal("0.00")] and check["合计"][5] == "一致"
    assert {r[5] for r in data.check.rows} == {"一致"}
    # December's batch is only prepared: nothing paid, nothing in the ledger
    assert rows_of(build(month="2026-12").tables[1])["合计"][8] == Decimal("0.00")


def test_a_mismatch_with_the_ledger_refuses_the_export(stats_world, monkeypatch):
    # given the columnar reader loses one fen of township B's lines (a bug the check must catch)
    line = (PaymentLine.objects.filter(month=NOV, region__code__startswith=TOWNSHIP_B[:9], batch__status="approved")
            .exclude(status="failed").order_by("id").first())
    lines_off_by(monkeypatch, -1, "q.enrollment_id = %s", (line.enrollment_id,))
    data = build()
    # then the check flags B's dibao by 0.01 and both exports are refused, the refusal audited
    assert not data.balanced and [(m["town"], m["program"]) for m in data.mismatches] == [(TOWNSHIP_B, "dibao")]
    assert rows_of(data.check)["合计"][4] == Decimal("-0.01")
    for fmt in ("xlsx", "pdf"):
        with pytest.raises(LedgerMismatch) as err:
            return_export(actor=stats_world.maker, data=data, fmt=fmt, now=NOW, today=TODAY)
        assert "发放台账不一致" in err.value.message and "文昌镇" in err.value.message
    assert AuditEvent.objects.filter(action="stats.return_refused").count() == 2
    assert not AuditEvent.objects.filter(action="stats.return_export").exists()


def test_xlsx_has_one_sheet_per_table_and_reads_back(stats_world):
    content = return_export(actor=stats_world.maker, data=build(), fmt="xlsx", now=NOW, today=TODAY)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert len(book.sheet_names) == 5
    paid = book.get_sheet_by_name(next(n for n in book.sheet_names if n.startswith("表2"))).to_python()
    total = next(r for r in paid if r and r[0] == "合计")
    assert total[8] == pytest.approx(4350.49)
    temporary = book.get_sheet_by_name(next(n for n in book.sheet_names if n.startswith("表4"))).to_python()
    assert any("临时救助台账" in str(c) for r in temporary for c in r)
    assert AuditEvent.objects.filter(action="stats.return_export", details__format="xlsx").count() == 1


def test_pdf_renders_in_chinese_with_the_tables(stats_world):
    from pypdf import PdfReader

    from jiuzhu.apps.documents.render import pdf_font_names

    content = return_export(actor=stats_world.maker, data=build(), fmt="pdf", now=NOW, today=TODAY)
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "月度统计报表" in text and "4350.49" in text and "与发放台账核对" in text
    assert any("CJK" in name for name in pdf_font_names(content))


@pytest.mark.parametrize("month", ["2026-13", "abc", ""])
def test_bad_month_is_refused_naming_month(stats_world, month):
    with pytest.raises(ValidationFailed) as err:
        build(month=month)
    assert err.value.details["field"] == "month"


def test_future_month_and_bad_format_are_refused(stats_world):
    with pytest.raises(ValidationFailed) as err:
        build(month="2027-01")
    assert err.value.details["field"] == "month"
    with pytest.raises(ValidationFailed) as err:
        return_export(actor=None, data=build(), fmt="docx", now=NOW, today=TODAY)
    assert err.value.details["field"] == "format"


def test_township_user_gets_only_their_township(stats_world, outsider, village_user):
    # township B's caseworker: their own township works and shows only B
    data = build(actor=outsider, region=TOWNSHIP_B)
    assert [name for _, name in data.towns] == ["文昌镇"]
    # the county or township A is refused
    for region in (COUNTY, TOWNSHIP_A):
        with pytest.raises(Forbidden):
            build(actor=outsider, region=region)
    with pytest.raises(Forbidden):
        build(actor=village_user, region=TOWNSHIP_A)


def test_cli_writes_the_return(stats_world, tmp_path):
    out = tmp_path / "return.xlsx"
    stdout = io.StringIO()
    call_command("stats", "return", "--month", "2026-11", "--out", str(out), "--region", COUNTY, stdout=stdout)
    assert "4350.49" in stdout.getvalue() and "一致" in stdout.getvalue()
    book = CalamineWorkbook.from_filelike(io.BytesIO(out.read_bytes()))
    assert len(book.sheet_names) == 5
    with pytest.raises(CommandError):
        call_command("stats", "return", "--month", "2026-11", "--out", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError):
        call_command("stats", "return", "--month", "2026-13", "--out", str(tmp_path / "x.pdf"), "--region", COUNTY)
    assert not (tmp_path / "x.pdf").exists()
