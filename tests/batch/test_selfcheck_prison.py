"""The 自查自纠 prison check on DuckDB (R-HH-03 / R-TK-15): a sentence overlapping the enrollment (begun on
or before the as-of date, not ended before the first month) is a hit; the detail says whether the person
is still serving."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from jiuzhu.batch import selfcheck
from jiuzhu.rules.selfcheck import SelfCheckTerms

AS_OF = date(2026, 11, 30)


def test_prison_R_HH_03_overlap_with_the_enrollment():
    pop = pa.Table.from_pylist([
        {"enrollment_id": i, "person_id": i, "household_id": i, "region": "330127100201", "bidx": f"b{i}",
         "started": date(2025, 1, 1), "policy": "p"} for i in range(1, 6)], schema=selfcheck.POPULATION_SCHEMA)
    prison = pa.Table.from_pylist([
        {"bidx": "b1", "start_on": date(2026, 3, 1), "end_on": None, "court": "淳安县人民法院"},  # serving
        {"bidx": "b2", "start_on": date(2024, 6, 1), "end_on": date(2025, 6, 30), "court": "某法院"},  # released in it
        {"bidx": "b3", "start_on": date(2020, 1, 1), "end_on": date(2024, 12, 31), "court": "某法院"},  # before it
        {"bidx": "b4", "start_on": date(2026, 12, 1), "end_on": None, "court": "某法院"},  # after the as-of date
    ])
    terms = selfcheck.terms_table([SelfCheckTerms("p", 5_000_000, date(2026, 9, 1), 15, {})])
    hits = selfcheck.run(pop, {"prison": prison}, checks=["prison"], as_of=AS_OF, terms=terms).hits.to_pylist()
    assert [(h["person_id"], h["detail"], h["event_date"]) for h in hits] == [
        (1, "服刑中 淳安县人民法院", date(2026, 3, 1)), (2, "保障期间曾服刑 某法院", date(2024, 6, 1))]
