"""Ingestion: wrong columns refused before anything is stored; bad rows kept as rejects with reasons;
no raw ID number in any written file; the same file twice changes nothing."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq
import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.verification.files import absolute, files_root
from jiuzhu.apps.verification.ingest import data_ingest
from jiuzhu.apps.verification.models import Snapshot
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.apps.cases.flow import at

from .conftest import SNAP_DATE

pytestmark = pytest.mark.django_db


def test_wrong_columns_refused_and_named_nothing_stored(tmp_path, county_user):
    # given a tax file with a misspelt column and one missing
    path = tmp_path / "tax.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["id_number", "name", "month", "income_typ", "income"],
                                  ["110101199003074514", "张三", "2026-01-01", "wage", "1"]])
    before = set(files_root().rglob("*"))
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        data_ingest(actor=county_user, source="tax", path=path, as_of=SNAP_DATE, now=at(SNAP_DATE))
    assert exc.value.code == "data.columns"
    assert "income_type（所得项目）" in exc.value.message and "tax_paid（已缴税额）" in exc.value.message
    assert "income_typ" in exc.value.message and "未导入任何数据" in exc.value.message
    assert exc.value.details["missing"] == ["income_type", "tax_paid"]
    assert exc.value.details["unexpected"] == ["income_typ"]
    assert Snapshot.objects.count() == 0 and set(files_root().rglob("*")) == before


def test_bad_rows_kept_as_rejects_rest_ingested(ingested):
    # then the tax file's invalid ID row is a reject, the other 26 rows went in
    tax = ingested["tax"]
    assert (tax.rows, tax.rejects, tax.already) == (26, 1, False)
    rejects = pq.read_table(absolute(tax.snapshot.rejects_path)).to_pylist()
    assert rejects[0]["row_no"] == 15 and "身份证号校验位错误" in rejects[0]["reasons"]
    si = ingested["social_insurance"]
    assert (si.rows, si.rejects) == (24, 1)
    assert "日期格式应为" in pq.read_table(absolute(si.snapshot.rejects_path)).column("reasons")[0].as_py()
    bank = ingested["bank_deposit"]
    assert (bank.rows, bank.rejects) == (2, 1)
    assert Snapshot.objects.get(pk=tax.snapshot.pk).rejects == 1
    assert AuditEvent.objects.filter(action="data.ingest").count() == len(ingested)


def test_raw_id_numbers_absent_from_every_file(ingested, ids):
    # given every file the ingestion wrote
    written = [p for p in files_root().rglob("*.parquet")]
    assert written
    blob = b"".join(p.read_bytes() for p in written)
    text = "\n".join(str(pq.read_table(p).to_pylist()) for p in written)
    # then no raw ID number is in them (neither in the bytes nor in the decoded rows)
    for number in ids.values():
        assert number.encode() not in blob and number not in text
    snap = pq.read_table(absolute(ingested["tax"].snapshot.path))
    assert "id_number" not in snap.column_names and "name" not in snap.column_names
    assert len(snap.column("bidx")[0].as_py()) == 64


def test_same_file_twice_changes_nothing(ingested, department_files, county_user):
    again = data_ingest(actor=county_user, source="tax", path=department_files["tax"], as_of=SNAP_DATE,
                        now=at(SNAP_DATE))
    assert again.already and again.snapshot.pk == ingested["tax"].snapshot.pk
    assert Snapshot.objects.filter(source_id="tax").count() == 1


def test_xlsx_and_parquet_read(tmp_path, county_user, ids):
    import pyarrow as pa
    import xlsxwriter

    rows = [["身份证号", "姓名", "残疾类别", "残疾等级", "评定日期"], [ids["spouse"], "李秀英", "肢体", 3, "2020-01-01"],
            [ids["head"], "张建国", "视力", 9, "2020-01-01"]]
    xlsx = tmp_path / "d.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    result = data_ingest(actor=county_user, source="disability", path=xlsx, as_of=SNAP_DATE, now=at(SNAP_DATE))
    assert (result.rows, result.rejects) == (1, 1)
    parquet = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id_number": [ids["head"]], "name": ["张建国"], "hukou_region": ["330127100201"],
                             "status": ["deceased"], "event_date": pa.array([SNAP_DATE], pa.date32())}), parquet)
    result = data_ingest(actor=county_user, source="hukou_death", path=parquet, as_of=SNAP_DATE, now=at(SNAP_DATE))
    assert (result.rows, result.rejects) == (1, 0)


def test_only_county_or_admin_ingest(department_files, caseworker):
    with pytest.raises(Forbidden):
        data_ingest(actor=caseworker, source="tax", path=department_files["tax"], as_of=SNAP_DATE, now=at(SNAP_DATE))


def test_unknown_source_and_file_type(tmp_path, county_user):
    with pytest.raises(ValidationFailed) as exc:
        data_ingest(actor=county_user, source="weather", path=tmp_path / "x.csv", as_of=SNAP_DATE, now=at(SNAP_DATE))
    assert exc.value.code == "data.source_unknown"
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(ValidationFailed) as exc:
        data_ingest(actor=county_user, source="tax", path=bad, as_of=SNAP_DATE, now=at(SNAP_DATE))
    assert exc.value.code == "data.file_unreadable"
