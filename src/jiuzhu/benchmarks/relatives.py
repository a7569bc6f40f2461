"""``jiuzhu bench relatives --persons N --relatives M --json``: the register of staff near relatives matched
against the registry (issue 15 §4 / benchmark: 50 000 staff relatives against 3 000 000 persons ≤ 5 s).

Synthetic data built in DuckDB (not timed): N persons in households of three across 20 townships of a bench
county, each with a 64-hex blind index (SHA-256 of a serial stands in for HMAC-SM3: same width and
uniformity, and keyless generation is 100× faster than keyed HMAC in Python); M register entries of which
5 % name a registry person (copies of their index) and the rest nobody.

Timed in one run:

* ``seconds``: ``jiuzhu.batch.relatives.match`` — one Ibis/DuckDB join on the blind index columns, the
  result materialised as Arrow, plus the count by township the county list shows — median of ``--repeat``;
* ``baseline_seconds``: the naive way — one query per register entry looking for its index among the
  persons (as a per-row ORM loop would), with an index on the persons' blind index (as the registry has),
  measured on a sample of entries and scaled linearly to M;
  ``baseline_agrees`` says whether the sample's answers equal the join's.
"""

from __future__ import annotations

import statistics
import time

import pyarrow as pa
import pyarrow.compute as pc

from jiuzhu.batch.engines import duckdb_connection
from jiuzhu.batch.relatives import PERSONS_SCHEMA, RELATIVES_SCHEMA, match

from .common import peak_rss_mb

TARGET_SECONDS = 5.0
MATCH_SHARE = 20  # one entry in 20 names a registry person
COUNTY = "330199"


def build(con, persons: int, relatives: int) -> tuple[pa.Table, pa.Table]:
    con.execute(f"""CREATE OR REPLACE TABLE persons AS
        SELECT i::BIGINT AS person_id, (i // 3)::BIGINT AS household_id,
               '{COUNTY}' || (hash(i // 3) % 20 + 100)::VARCHAR || (hash(i // 3 + 7) % 30 + 200)::VARCHAR
                   AS region_id,
               sha256('person-' || i::VARCHAR) AS bidx
        FROM range(1, {persons + 1}) t(i)""")  # noqa: S608 - integers only
    step = max(persons // max(relatives // MATCH_SHARE, 1), 1)
    con.execute(f"""CREATE OR REPLACE TABLE relatives AS
        SELECT i::BIGINT AS relative_id, (i // 3 + 1)::BIGINT AS staff_id,
               CASE i % 6 WHEN 0 THEN 'spouse' WHEN 1 THEN 'parent' WHEN 2 THEN 'child' WHEN 3 THEN 'sibling'
                          WHEN 4 THEN 'grandparent' ELSE 'grandchild' END AS relation,
               CASE WHEN i % {MATCH_SHARE} = 0 THEN sha256('person-' || least((i // {MATCH_SHARE}) * {step} + 1,
                                                                               {persons})::VARCHAR)
                    ELSE sha256('nobody-' || i::VARCHAR) END AS bidx
        FROM range(1, {relatives + 1}) t(i)""")  # noqa: S608 - integers only
    return (con.sql("SELECT * FROM persons").to_arrow_table().cast(PERSONS_SCHEMA),
            con.sql("SELECT * FROM relatives").to_arrow_table().cast(RELATIVES_SCHEMA))


def set_based(relatives: pa.Table, persons: pa.Table, con) -> tuple[pa.Table, dict]:
    pairs = match(relatives, persons, con=con)
    townships = pc.utf8_slice_codeunits(pairs["region_id"], 0, 9)
    counts = pa.table({"t": townships}).group_by("t").aggregate([("t", "count")])
    return pairs, dict(zip(counts["t"].to_pylist(), counts["t_count"].to_pylist()))


def naive(sample: list[tuple[int, str]], con) -> set[tuple[int, int]]:
    """One query per register entry (the per-row loop)."""
    found: set[tuple[int, int]] = set()
    for relative_id, bidx in sample:
        for (person_id,) in con.execute("SELECT person_id FROM persons WHERE bidx = ?", [bidx]).fetchall():
            found.add((relative_id, person_id))
    return found


def run(*, persons: int = 3_000_000, relatives: int = 50_000, repeat: int = 3, sample: int = 200) -> dict:
    con = duckdb_connection().con
    started = time.perf_counter()
    person_table, relative_table = build(con, persons, relatives)
    build_seconds = time.perf_counter() - started
    times: list[float] = []
    pairs = pa.table({})
    by_township: dict = {}
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        pairs, by_township = set_based(relative_table, person_table, con)
        times.append(time.perf_counter() - t0)
    seconds = statistics.median(times)
    # the baseline on a sample spread over the register (matches and non-matches), scaled to M
    every = max(relatives // sample, 1)
    chosen = [(r, b) for r, b in zip(relative_table["relative_id"].to_pylist()[::every],
                                     relative_table["bidx"].to_pylist()[::every])][:sample]
    # the registry's blind index column is indexed (unique): the per-row loop gets the index too
    con.execute("CREATE INDEX IF NOT EXISTS persons_bidx ON persons (bidx)")
    t0 = time.perf_counter()
    naive_pairs = naive(chosen, con)
    per_entry = (time.perf_counter() - t0) / max(len(chosen), 1)
    ids = {r for r, _ in chosen}
    joined = {(r, p) for r, p in zip(pairs["relative_id"].to_pylist(), pairs["person_id"].to_pylist()) if r in ids}
    baseline = per_entry * relatives
    return {
        "bench": "relatives", "persons": persons, "relatives": relatives, "matches": pairs.num_rows,
        "townships": len(by_township), "engine": "duckdb (ibis)", "seconds": round(seconds, 3),
        "target_seconds": TARGET_SECONDS, "within_target": seconds <= TARGET_SECONDS,
        "baseline": "query-per-relative", "baseline_seconds": round(baseline, 1),
        "baseline_sample": len(chosen), "baseline_agrees": naive_pairs == joined,
        "ratio": round(baseline / seconds, 1) if seconds else None, "build_seconds": round(build_seconds, 1),
        "runs": [round(t, 3) for t in times], "peak_rss_mb": peak_rss_mb(),
        "note": f"baseline measured on {len(chosen)} entries (one query each) and scaled linearly to {relatives}",
    }
