"""`jiuzhu data ingest | sources | generate` and `jiuzhu verify run`."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.csv as pacsv
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.verification.models import Snapshot, VerificationReport
from tests.apps.verification.conftest import SNAP_DATE, department_files, ids, ingested, ver_household, verifying_case  # noqa: F401

pytestmark = pytest.mark.django_db


def run(command, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def fails(command, *args) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run(command, *args)
    assert exc.value.returncode == 2
    return exc.value


def test_ingest_reports_counts_and_sources_lists_it(department_files, regions):
    out = run("data", "ingest", "tax", str(department_files["tax"]), "--as-of", "2026-11-30", "--no-progress")
    assert "已导入 税务 2026-11-30：26 行入库，退回 1 行" in out
    again = json.loads(run("data", "ingest", "tax", str(department_files["tax"]), "--as-of", "2026-11-30",
                           "--no-progress", "--json").splitlines()[-1])
    assert again["already"] is True and again["rows"] == 26
    listing = json.loads(run("data", "sources", "--json"))
    tax = [s for s in listing if s["code"] == "tax"][0]
    assert (tax["as_of"], tax["rows"], tax["rejects"]) == ("2026-11-30", 26, 1)
    assert len(listing) == 13 and "户籍及死亡" in run("data", "sources")


def test_ingest_wrong_columns_exit_2_names_columns(tmp_path, regions):
    path = tmp_path / "v.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["id_number", "plate", "vehicle_type", "registered_on"], ["1", "2", "3", "4"]])
    err = fails("data", "ingest", "vehicle", str(path), "--as-of", "2026-11-30", "--no-progress")
    assert "value（评估价值）" in str(err) and "plate" in str(err)
    assert not Snapshot.objects.exists()
    assert "格式错误" in str(fails("data", "ingest", "vehicle", str(path), "--as-of", "2026-13-01"))
    assert "未知的数据来源" in str(fails("data", "ingest", "boats", str(path), "--as-of", "2026-11-30"))


def test_generate_then_ingest(tmp_path, regions):
    out_file = tmp_path / "bank.csv"
    out = run("data", "generate", "bank_deposit", str(out_file), "--households", "200", "--as-of", "2026-11-30",
              "--bad-share", "0.02")
    table = pacsv.read_csv(out_file)
    assert table.num_rows > 600 and f"{table.num_rows} 行" in out
    result = json.loads(run("data", "ingest", "bank_deposit", str(out_file), "--as-of", "2026-11-30",
                            "--no-progress", "--json"))
    assert result["rejects"] > 0 and result["rows"] + result["rejects"] == table.num_rows


def test_generate_all_from_registry_matches_cases(tmp_path, verifying_case, county_user):
    run("data", "generate", "all", str(tmp_path / "d"), "--households", "5", "--registry", "--as-of", "2026-11-30",
        "--bad-share", "0", "--invalid-id-share", "0")
    for path in sorted((tmp_path / "d").glob("*.csv")):
        run("data", "ingest", path.stem, str(path), "--as-of", "2026-11-30", "--no-progress")
    assert Snapshot.objects.count() == 13
    out = json.loads(run("verify", "run", "--case", str(verifying_case.pk), "--as-of", "2026-11-30",
                         "--user", county_user.username, "--submit", "--no-progress", "--json"))
    assert out["cases"] == 1 and out["reports"][0]["submitted"] is True
    report = VerificationReport.objects.get(pk=out["reports"][0]["report"])
    assert any(i["role"] == "member" for i in report.data["items"])  # the registry's persons were found
    assert Case.objects.get(pk=verifying_case.pk).state == "verified"


def test_verify_region_batch_and_errors(ingested, verifying_case, regions):
    out = run("verify", "run", "--region", "330127100000", "--as-of", "2026-11-30", "--no-progress")
    assert f"案件 {verifying_case.pk}：报告" in out and "不可核对 2 人" in out
    assert "须用 --user" in str(fails("verify", "run", "--region", "330127100000", "--submit"))
    assert "不存在" in str(fails("verify", "run", "--region", "999999999999"))
    assert "没有待核对的案件" in run("verify", "run", "--region", "330127101000", "--no-progress")


def test_verify_without_data_exit_2(verifying_case):
    err = fails("verify", "run", "--case", str(verifying_case.pk), "--no-progress")
    assert "没有任何部门数据快照" in str(err)
