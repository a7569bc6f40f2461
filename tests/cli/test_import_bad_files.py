"""Issue 18 §4: every command-line importer refuses a bad file (UTF-16, binary garbage, cut short, 10 MB
random, empty) with a Chinese message naming the problem, exit code 2, no traceback, nothing written."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare
from tests.apps.payments.conftest import checker, maker, world  # noqa: F401
from tests.bad_files import (
    BAD_KINDS,
    CHINESE,
    EXPECTED,
    files_under,
    parquet_bytes,
    table_counts,
    write_bad,
    xlsx_bytes,
)
from tests.cli.test_cli import project  # noqa: F401
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db

REGIONS_CSV = "区划代码,名称,上级代码\n330127100299,新村,330127100000\n"
TAX_CSV = "身份证号,姓名,所属月份,所得项目,收入额,已缴税额\n330127197005170011,张三,2026-10-01,wage,3000.00,0\n"
LEDGER_HEADERS = ["区划代码", "户主姓名", "户主身份证号"]
REGISTER_HEADERS = ["序号", "家庭编号", "户主姓名", "户主身份证号", "类别", "认定日期", "有效期至", "说明"]
RESULT_CSV = "序号,银行账号,收款人,金额(元),处理结果,返回码,失败原因\n1,6228480000000000001,张建国,650.00,成功,,\n"


def _files(fmt: str, text: str, header: list[str]):
    """(good bytes, suffix) of the importer's format: CSV text, or the same rows as xlsx / Parquet."""
    rows = list(csv.reader(io.StringIO(text))) if text else [header, ["x"] * len(header)]
    if fmt == "xlsx":
        return xlsx_bytes(rows), ".xlsx"
    if fmt == "parquet":
        return parquet_bytes({h: [r[i] for r in rows[1:]] for i, h in enumerate(rows[0])}), ".parquet"
    return text.encode(), ".csv"


def assert_refused(kind: str, command: list, before: dict, files: set, capsys):
    # when the command runs on the bad file
    with pytest.raises(CommandError) as exc:
        call_command(*command, stdout=io.StringIO())
    # then it exits 2 with a Chinese message naming the problem, and nothing is written
    message = str(exc.value)
    assert exc.value.returncode == 2, message
    assert CHINESE.search(message) and EXPECTED[kind].search(message), (kind, message)
    assert "Traceback" not in capsys.readouterr().err
    assert table_counts() == before
    assert files_under(settings.JIUZHU_FILES_DIR) == files


def _bad(tmp_path, kind, fmt, text, header=()):
    good, suffix = _files(fmt, text, list(header))
    return write_bad(tmp_path, kind, fmt, good, text or ",".join(header) + "\n", suffix)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_regions_import_refuses_bad_files(regions, tmp_path, kind, capsys):
    # given the demo regions and a bad region file
    path = _bad(tmp_path, kind, "csv", REGIONS_CSV)
    before, files = table_counts(), files_under(settings.JIUZHU_FILES_DIR)
    assert_refused(kind, ["regions", "import", str(path)], before, files, capsys)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
@pytest.mark.parametrize("kind", BAD_KINDS)
def test_data_ingest_refuses_bad_files(regions, tmp_path, kind, fmt, capsys):
    # given a bad tax file as CSV, xlsx or Parquet
    path = _bad(tmp_path, kind, fmt, TAX_CSV)
    before, files = table_counts(), files_under(settings.JIUZHU_FILES_DIR)
    assert_refused(kind, ["data", "ingest", "tax", str(path), "--as-of", "2026-11-30", "--no-progress"], before,
                   files, capsys)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_ledger_import_refuses_bad_files(caseworker, tmp_path, kind, capsys):
    # given a bad ledger workbook
    path = _bad(tmp_path, kind, "xlsx", "", LEDGER_HEADERS)
    before, files = table_counts(), files_under(settings.JIUZHU_FILES_DIR)
    assert_refused(kind, ["ledger", "import", str(path), "--region", TOWNSHIP_A, "--no-progress"], before, files,
                   capsys)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_register_import_refuses_bad_files(regions, tmp_path, kind, capsys):
    # given a bad low-income register workbook
    path = _bad(tmp_path, kind, "xlsx", "", REGISTER_HEADERS)
    before, files = table_counts(), files_under(settings.JIUZHU_FILES_DIR)
    assert_refused(kind, ["monitor", "register-import", str(path), "--region", COUNTY, "--no-progress"], before,
                   files, capsys)


@pytest.fixture
def exported_batch(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=timezone.localdate().replace(day=1),
                            now=timezone.now())
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=timezone.now())
    payroll_export(actor=world.maker, batch_id=batch.pk, now=timezone.now())
    return batch


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", BAD_KINDS)
def test_payroll_reconcile_refuses_bad_result_files(exported_batch, tmp_path, kind, fmt, capsys):
    # given an exported batch and a bad bank result file
    path = _bad(tmp_path, kind, fmt, RESULT_CSV)
    before, files = table_counts(), files_under(settings.JIUZHU_FILES_DIR)
    assert_refused(kind, ["payroll", "reconcile", "--batch", str(exported_batch.pk), str(path)], before, files,
                   capsys)


CALENDAR_CSV = "date,kind,name\n2027-01-01,holiday,元旦\n"


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_calendar_import_refuses_bad_files(db, tmp_path, kind, capsys):
    """The calendar import keeps its own policy (UTF-8 only, issue 17): checked here for the same bad files."""
    path = _bad(tmp_path, kind, "csv", CALENDAR_CSV)
    before = table_counts()
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "import", str(path), stdout=io.StringIO())
    assert exc.value.returncode == 2 and CHINESE.search(str(exc.value)), str(exc.value)
    assert "Traceback" not in capsys.readouterr().err
    assert table_counts() == before


def test_directory_instead_of_a_file_is_refused(regions, tmp_path):
    # given a directory where a file is expected
    # when it is imported as regions
    with pytest.raises(CommandError) as exc:
        call_command("regions", "import", str(tmp_path), stdout=io.StringIO())
    # then the message says it is not a file
    assert exc.value.returncode == 2 and "不是普通文件" in str(exc.value)


def test_gbk_region_file_is_accepted(regions, tmp_path):
    """Chinese offices export GBK: accepted, like UTF-8."""
    # given a region file saved as GBK by Excel
    path = tmp_path / "regions.csv"
    path.write_bytes(REGIONS_CSV.encode("gbk"))
    # when it is imported
    out = io.StringIO()
    call_command("regions", "import", str(path), stdout=out)
    # then the village is there with its Chinese name
    from jiuzhu.apps.regions.models import Region

    assert "新增 1 个" in out.getvalue() and Region.objects.get(code="330127100299").name == "新村"


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_real_binary_prints_no_traceback(project, tmp_path, kind):
    """The installed `jiuzhu` command, as an operator runs it: a Chinese line on stderr, exit 2."""
    # given a bad region file
    path = _bad(tmp_path, kind, "csv", REGIONS_CSV)
    # when the real binary imports it
    proc = project("regions", "import", str(path))
    # then stderr holds the Chinese message and no traceback
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and EXPECTED[kind].search(proc.stderr), proc.stderr
