"""The monitoring scan as a pure batch (no database): keys unique, known keys removed, the breadwinner,
the same alerts as a plain-Python reading of the rules on a synthetic population."""

from __future__ import annotations

from collections import Counter

from jiuzhu.batch import monitoring as m

from .monitoring_data import AS_OF, small_scan


def test_keys_unique_and_known_keys_removed(tmp_path):
    population, snapshots, terms = small_scan(tmp_path)
    result = m.run(population, snapshots, as_of=AS_OF, terms=terms)
    keys = result.alerts.column("dedup_key").to_pylist()
    assert len(keys) == len(set(keys)) == result.candidates > 20
    assert set(Counter(result.alerts.column("type").to_pylist())) >= {"death", "unemployment", "school_entry"}
    known = result.alerts.select(["dedup_key"]).slice(0, 10)
    again = m.run(population, snapshots, as_of=AS_OF, terms=terms, known=known)
    assert again.alerts.num_rows == len(keys) - 10 and again.candidates == len(keys)
    assert set(again.alerts.column("dedup_key").to_pylist()) == set(keys[10:])
    # persons without a blind index are never matched
    no_id = {r["person_id"] for r in population.to_pylist() if r["bidx"] is None}
    assert not no_id & set(result.alerts.column("person_id").to_pylist())
    assert result.matched == population.num_rows - len(no_id)


def test_breadwinner_is_the_top_earner_or_the_head(tmp_path):
    population, snapshots, terms = small_scan(tmp_path)
    rows = population.to_pylist()
    by_household: dict = {}
    for r in rows:
        if r["bidx"] is not None:
            by_household.setdefault(r["household_id"], []).append(r)
    result = m.run(population, snapshots, as_of=AS_OF, terms=terms)
    for a in result.alerts.to_pylist():
        members = by_household[a["household_id"]]
        top = max(p["earning"] for p in members)
        me = next(p for p in members if p["person_id"] == a["person_id"])
        assert a["breadwinner"] == ((top > 0 and me["earning"] == top) or (top <= 0 and me["is_head"]))


def test_same_alerts_as_plain_python(tmp_path):
    # given the rules read one household at a time in plain Python (the benchmark's baseline)
    import pyarrow.parquet as pq

    from jiuzhu.benchmarks.monitor import naive_rules

    population, snapshots, terms = small_scan(tmp_path)
    rows = {code: pq.read_table(path).to_pylist() for code, path in snapshots.items()}
    members = [r for r in population.to_pylist() if r["bidx"] is not None]
    expected = {(f[0], f[1]) for f in naive_rules(rows, members, terms.to_pylist()[0])}
    # when scanned in columns
    result = m.run(population, snapshots, as_of=AS_OF, terms=terms)
    # then the same (type, person) pairs
    assert {(a["type"], a["bidx"]) for a in _with_bidx(result.alerts, population)} == expected


def _with_bidx(alerts, population):
    bidx = dict(zip(population.column("person_id").to_pylist(), population.column("bidx").to_pylist()))
    return [{**a, "bidx": bidx[a["person_id"]]} for a in alerts.to_pylist()]
