"""``jiuzhu rules evaluate`` through the real console script (no database needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

JIUZHU = Path(sys.executable).with_name("jiuzhu")
EXAMPLE = {"program": "dibao", "as_of": "2026-12-01", "area_type": "urban",
           "members": [{"id": "m1", "birth_date": "1950-03-02", "disability": {"kind": "physical", "grade": 2},
                        "income": {"transfer": "300"}}],
           "assets": {"financial": "12000", "vehicles": [{"kind": "motorcycle", "value": "3000"}],
                      "residential_properties": 1, "business_registered_capital": "0"},
           "obligors_able": False, "temporary": None}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "JIUZHU_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.production",
           "JIUZHU_DATABASE_URL": f"sqlite:///{var}/absent.sqlite3"}

    def _run(*args, stdin: str = ""):
        return subprocess.run([str(JIUZHU), "rules", "evaluate", *args], input=stdin, capture_output=True,
                              text=True, env=env, timeout=60)
    _run.var = var
    return _run


def test_evaluate_prints_one_json_object(run):
    # when
    proc = run("--policy", "reference", "-", stdin=json.dumps(EXAMPLE))
    # then
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["status"], out["class"], out["monthly_amount"]) == ("dibao", "A", "1352.00")
    assert proc.stderr == ""
    assert not (run.var / "absent.sqlite3").exists(), "the rules command must not open the database"


def test_evaluate_reads_a_file(run, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(dict(EXAMPLE, as_of="2026-06-30")), encoding="utf-8")
    proc = run("--policy", "reference", str(path))
    assert proc.returncode == 0 and json.loads(proc.stdout)["standard"] == "1000.00"


@pytest.mark.parametrize("stdin, code, field", [
    (json.dumps(dict(EXAMPLE, members=[dict(EXAMPLE["members"][0], birth_date="1950-02-30")])),
     "invalid_date", "members[0].birth_date"),
    (json.dumps(dict(EXAMPLE, as_of="2024-12-31")), "policy_not_in_force", "as_of"),
    ("{not json", "invalid_json", "$"),
])
def test_bad_input_exit_2_error_on_stderr_only(run, stdin, code, field):
    # when
    proc = run("--policy", "reference", "-", stdin=stdin)
    # then
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = json.loads(proc.stderr)["error"]
    assert (err["code"], err["field"]) == (code, field)
    assert err["message"]


def test_unknown_policy_exit_2(run):
    proc = run("--policy", "atlantis", "-", stdin=json.dumps(EXAMPLE))
    assert proc.returncode == 2 and proc.stdout == ""
    assert json.loads(proc.stderr)["error"]["field"] == "policy"


def test_jsonl_one_line_per_input_and_bad_line_continues(run):
    # given three inputs, the middle one bad
    lines = [json.dumps(EXAMPLE), json.dumps(dict(EXAMPLE, program="lottery")),
             json.dumps(dict(EXAMPLE, area_type="rural", as_of="2026-03-15"))]
    # when
    proc = run("--policy", "reference", "--jsonl", stdin="\n".join(lines) + "\n")
    # then
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["monthly_amount"] == "1352.00"
    assert out[1] == {"error": {"code": "invalid_choice", "field": "program", "message": out[1]["error"]["message"]}}
    assert out[2]["standard"] == "800.00"


# ---- region policies and the extension programs through the same command ----

COUNTY_HOUSEHOLD = {"as_of": "2026-07-01", "area_type": "urban",
                    "members": [{"id": "m1", "birth_date": "1980-01-01", "income": {"wage": "3000"}},
                                {"id": "m2", "birth_date": "2015-01-01"}]}


@pytest.mark.parametrize("name, given, expected", [
    ("tiered dibao through the county policy", {
        **COUNTY_HOUSEHOLD, "program": "dibao",
        "members": [{"id": "m1", "birth_date": "1980-01-01", "income": {"property": "780.60"}},
                    {"id": "m2", "birth_date": "1982-01-01"}]}, ("dibao", "1561.20")),
    ("rigid expenditure", {**COUNTY_HOUSEHOLD, "program": "rigid_expenditure",
                           "rigid": {"expenditure": {"medical": "20160.01"}}}, ("rigid", "0.00")),
    ("graduation", {**COUNTY_HOUSEHOLD, "program": "graduation",
                    "graduation": {"reason": "graduate_employment", "current_amount": "780.6"}},
     ("graduation", "780.60")),
])
def test_county_policy_programs(run, name, given, expected):
    # when
    proc = run("--policy", "330127000000", "-", stdin=json.dumps(given))
    # then
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["status"], out["monthly_amount"], out["policy"]) == (*expected, "330127000000")
    assert any(step["rule"] == "PARAM" and "待核实" in step["step"] for step in out["trace"])


@pytest.mark.parametrize("given, policy, code, field", [
    ({**COUNTY_HOUSEHOLD, "program": "rigid_expenditure", "rigid": {"expenditure": {"travel": "1"}}},
     "330127000000", "unknown_field", "rigid.expenditure.travel"),
    ({**COUNTY_HOUSEHOLD, "program": "graduation", "graduation": {"reason": "lottery", "current_amount": "1"}},
     "330127000000", "graduation_reason_unknown", "graduation.reason"),
    ({**COUNTY_HOUSEHOLD, "program": "rigid_expenditure", "rigid": {}}, "reference", "program_not_in_policy",
     "program"),
])
def test_extension_bad_input_exit_2_naming_the_field(run, given, policy, code, field):
    proc = run("--policy", policy, "-", stdin=json.dumps(given))
    assert proc.returncode == 2 and proc.stdout == ""
    err = json.loads(proc.stderr)["error"]
    assert (err["code"], err["field"]) == (code, field)
    assert field in err["message"]


def test_policies_lists_the_county_with_its_unverified_marking(run):
    env = {**os.environ, "JIUZHU_VAR_DIR": str(run.var), "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.production"}
    proc = subprocess.run([str(JIUZHU), "rules", "policies"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = dict(line.split("\t", 1) for line in proc.stdout.splitlines())
    assert {"reference", "330000000000", "330100000000", "330127000000"} <= set(rows)
    assert "待核实" in rows["330127000000"] and "待核实" not in rows["reference"]
