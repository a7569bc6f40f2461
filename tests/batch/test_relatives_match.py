"""The relatives-register join on the blind index (jiuzhu.batch.relatives) and the ``relatives`` benchmark:
the join equals a brute-force comparison, the bench prints JSON with its per-entry baseline measured in the
same run and agreeing with the join, and bad options are refused."""

from __future__ import annotations

import json
from io import StringIO

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.batch.relatives import MATCH_SCHEMA, PERSONS_SCHEMA, RELATIVES_SCHEMA, match
from jiuzhu.benchmarks.relatives import run


def test_the_join_pairs_every_entry_with_each_person_of_the_same_index():
    persons = pa.table({"person_id": [1, 2, 3], "household_id": [10, 10, 20],
                        "region_id": ["330127100201", "330127100201", "330127101201"], "bidx": ["a", "b", "c"]},
                       schema=PERSONS_SCHEMA)
    relatives = pa.table({"relative_id": [7, 8, 9], "staff_id": [1, 2, 1], "relation": ["spouse", "parent", "child"],
                          "bidx": ["c", "c", "zz"]}, schema=RELATIVES_SCHEMA)
    out = match(relatives, persons)
    assert out.schema == MATCH_SCHEMA
    assert sorted(zip(out["relative_id"].to_pylist(), out["person_id"].to_pylist())) == [(7, 3), (8, 3)]
    brute = sorted((r["relative_id"], p["person_id"]) for r in relatives.to_pylist() for p in persons.to_pylist()
                   if r["bidx"] == p["bidx"])
    assert brute == [(7, 3), (8, 3)]


def test_the_bench_reports_json_with_an_agreeing_baseline():
    out = run(persons=3000, relatives=400, repeat=1, sample=20)
    assert out["bench"] == "relatives" and out["matches"] == 20 and out["baseline_agrees"] is True
    assert out["seconds"] > 0 and out["baseline_seconds"] > 0 and out["baseline_sample"] == 20


def test_command_prints_json_and_refuses_bad_options():
    buffer = StringIO()
    call_command("bench", "relatives", "--persons", "2000", "--relatives", "200", "--repeat", "1", "--json",
                 stdout=buffer)
    assert json.loads(buffer.getvalue().strip().splitlines()[-1])["bench"] == "relatives"
    with pytest.raises(CommandError):
        call_command("bench", "relatives", "--persons", "abc")
