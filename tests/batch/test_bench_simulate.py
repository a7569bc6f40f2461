"""The `simulate` benchmark: JSON fields like the other benches, the single-case baseline in the same
run, and the sample's movements equal to the batch's, under the reference and the county policy
(分档); the pure comparison on a hand-made pair of decisions."""

from __future__ import annotations

import json
from io import StringIO

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.batch.dibao import SINGLE_PERSON_SCHEMA, DibaoTables
from jiuzhu.batch.simulation import META_SCHEMA, histogram, simulate
from jiuzhu.benchmarks.simulate import run

KEYS = {"bench", "households", "seconds", "per_second", "baseline", "baseline_seconds", "ratio",
        "peak_rss_mb", "engine", "database", "notes", "parity_mismatches", "movements"}


@pytest.mark.parametrize("policy", ["reference", "330127000000"])
def test_run_synthetic(policy):
    out = run(households=400, repeat=1, policy=policy)
    assert KEYS <= set(out) and out["bench"] == "simulate" and out["households"] == 400
    assert out["parity_mismatches"] == 0 and out["baseline_seconds"] > 0 and out["seconds"] > 0
    assert sum(out["movements"].values()) == 400 and out["movements"].get("enter", 0) > 0


def test_command_prints_json_and_refuses_bad_options():
    buffer = StringIO()
    call_command("bench", "simulate", "--households", "200", "--repeat", "1", "--json", stdout=buffer)
    assert json.loads(buffer.getvalue().strip().splitlines()[-1])["bench"] == "simulate"
    with pytest.raises(CommandError):
        call_command("bench", "simulate", "--households", "200", "--parquet")


def _decisions(rows):
    return DibaoTables(pa.table({"household_id": pa.array([r[0] for r in rows], pa.int64()),
                                 "status": [r[1] for r in rows], "class": [r[2] for r in rows],
                                 "monthly_amount_fen": pa.array([r[3] for r in rows], pa.int64())}),
                      SINGLE_PERSON_SCHEMA.empty_table())


def test_movements_on_hand_made_decisions():
    # given six households: enrolled ones (1–3, 6 graduating), not enrolled ones (4, 5)
    meta = pa.table({"household_id": [1, 2, 3, 4, 5, 6], "village": ["330127100201"] * 6,
                     "township": ["330127100000"] * 6, "area_type": ["rural"] * 6, "head_name": ["张三"] * 6,
                     "persons": [2] * 6, "enrolled": ["dibao", "dibao", "dibao", "", "", "dibao"],
                     "enrollment_status": ["active", "active", "active", "", "", "graduating"],
                     "current_class": ["C"] * 6, "current_fen": [100] * 6}).cast(META_SCHEMA)
    old = _decisions([(1, "dibao", "C", 1000), (2, "dibao", "C", 1000), (3, "dibao", "C", 1000),
                      (4, "edge", None, 0), (5, "dibao", "D", 500), (6, "dibao", "C", 1000)])
    new = _decisions([(1, "dibao", "C", 1200), (2, "dibao", "D", 900), (3, "edge", None, 0),
                      (4, "dibao", "D", 300), (5, "dibao", "D", 700), (6, "edge", None, 0)])
    # when compared
    rows, towns = simulate(meta, old, new)
    got = {r["household_id"]: (r["movement"], r["diff_fen"], r["edge"]) for r in rows.to_pylist()}
    # then the enrolled change amount, class or leave; the not enrolled only enter; graduating stays
    assert got == {1: ("amount", 200, ""), 2: ("class", -100, ""), 3: ("leave", -1000, "in"),
                   4: ("enter", 300, "out"), 5: ("none", 0, ""), 6: ("none", 0, "in")}
    t = towns.to_pylist()[0]
    assert (t["enrolled"], t["enter"], t["leave"], t["klass"], t["amount"], t["diff_fen"]) == (4, 1, 1, 1, 1, 200 - 100 - 1000 + 300)
    assert histogram(pa.array([-1000, -100, 200, 300], pa.int64()))[0]["low"] <= -1000
