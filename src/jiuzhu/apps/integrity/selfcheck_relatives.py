"""自查自纠 "relatives not filed" (近亲属未备案, R-HH-09 / R-WF-03): the persons covered by a live enrollment
who are in the register of staff near relatives (matched on the blind index, never the number) while the
enrollment's case was not filed as 近亲属备案 (or the enrollment has no case). One SQL join over the
county; the rows are the matches only, folded into one hit per (enrollment, person) with the staff
entries as evidence (names of staff, relation, the masked ID number — no plaintext)."""

from __future__ import annotations

import pyarrow as pa

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.snapshot import read_table
from jiuzhu.apps.registry.models import Membership, Person
from jiuzhu.batch.selfcheck import HITS_SCHEMA

from .relatives_match import _staff_label
from .relatives_models import RELATIONS, StaffRelative

CHECK = "relatives_unfiled"
MATCH_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("person_id", pa.int64()), ("household_id", pa.int64()), ("region", pa.string()),
    ("started", pa.date32()), ("relation", pa.string()), ("masked", pa.string()), ("staff_id", pa.int64()),
    ("staff__display_name", pa.string()), ("staff__username", pa.string()), ("staff__post", pa.string()),
    ("staff__role", pa.string()),  # the names relatives_match._staff_label reads
])


def relatives_unfiled(low: str, high: str) -> tuple[pa.Table, dict]:
    """(hits in HITS_SCHEMA, evidence by (check, enrollment, person)): see the module docstring."""
    enr, mem, person = Enrollment._meta.db_table, Membership._meta.db_table, Person._meta.db_table
    rel, case, user = StaffRelative._meta.db_table, Case._meta.db_table, User._meta.db_table
    live = "', '".join(Enrollment.LIVE)
    sql = f"""
        SELECT e.id, m.person_id, e.household_id, e.region_id, e.start_month, r.relation, r.id_number_masked,
               r.staff_id, u.display_name, u.username, u.post, u.role
          FROM {enr} e
          JOIN {mem} m ON m.household_id = e.household_id AND m.end_date IS NULL AND m.co_resident
          JOIN {person} p ON p.id = m.person_id
          JOIN {rel} r ON r.id_number_bidx = p.id_number_bidx AND r.removed_at IS NULL
          JOIN {user} u ON u.id = r.staff_id
          LEFT JOIN {case} c ON c.id = e.case_id
         WHERE e.status IN ('{live}') AND e.region_id BETWEEN %s AND %s
           AND (e.person_id IS NULL OR e.person_id = m.person_id) AND p.id_number_bidx <> ''
           AND (c.id IS NULL OR c.relative_flag = %s)
         ORDER BY e.id, m.person_id, r.id"""  # noqa: S608  (table names from the models; values are parameters)
    rows: dict[tuple, dict] = {}
    for r in read_table(sql, (low, high, False), MATCH_SCHEMA).to_pylist():
        key = (r["enrollment_id"], r["person_id"])
        entry = {"staff_id": r["staff_id"], "staff": _staff_label(r), "relation": RELATIONS.get(r["relation"], r["relation"])}
        if key not in rows:
            rows[key] = {**r, "entries": []}
        rows[key]["entries"].append(entry)
    hits, evidence = [], {}
    for key, r in rows.items():
        first, more = r["entries"][0], len(r["entries"]) - 1
        who = f"{first['staff']}{f'等{more + 1}名工作人员' if more else ''}"
        hits.append({"check": CHECK, "enrollment_id": r["enrollment_id"], "person_id": r["person_id"],
                     "household_id": r["household_id"], "region": r["region"], "event_date": r["started"],
                     "amount_fen": 0,
                     "detail": f"{who}登记的近亲属（{first['relation']}，身份证号 {r['masked']}），审批时未作近亲属备案"})
        evidence[(CHECK, *key)] = {"source": "staff_relatives", "source_name": "工作人员近亲属登记、本系统案件（近亲属备案）",
                         "masked": r["masked"], "staff": r["entries"]}
    return pa.Table.from_pylist(hits, schema=HITS_SCHEMA), evidence
