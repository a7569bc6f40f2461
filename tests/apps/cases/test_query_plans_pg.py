"""The task list and the case search use an index on PostgreSQL (EXPLAIN), not a scan of all cases.

A few thousand cases over the demo county's 12 villages, most of them closed (as in production),
then ANALYZE, then EXPLAIN of the exact SQL the selectors run.
"""

import random
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.selectors import cases_search, my_tasks, supervision_list
from jiuzhu.apps.registry.models import Household
from jiuzhu.rules.workflow.model import CASEWORKER, COUNTY, REVIEWER
from jiuzhu.rules.workflow.states import CLOSED_STATES, STATE_LABELS

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")]
N = 8000
VILLAGES = ["330127100001", "330127100002", "330127100201", "330127100202", "330127101001", "330127101201",
            "330127101202", "330127101203", "330127102001", "330127102201", "330127102202", "330127102203"]
OPEN_TASK = {"submitted": CASEWORKER, "verifying": COUNTY, "verified": CASEWORKER, "awaiting_materials": "",
             "accepted": CASEWORKER, "surveyed": CASEWORKER, "reviewed": CASEWORKER, "in_notice": CASEWORKER,
             "disputed": CASEWORKER, "awaiting_confirmation": REVIEWER}


@pytest.fixture
def many_cases(people, household):
    rng = random.Random(7)
    homes = Household.objects.bulk_create(
        [Household(region_id=v, residence_region_id=v, area_type="rural", head_name="某")
         for v in (rng.choice(VILLAGES) for _ in range(N))])
    closed = sorted(CLOSED_STATES)
    opened = sorted(set(STATE_LABELS) - CLOSED_STATES)
    start = datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    cases = []
    for i, hh in enumerate(homes):
        state = rng.choice(opened) if rng.random() < 0.25 else rng.choice(closed)
        is_open = state not in CLOSED_STATES
        role = OPEN_TASK.get(state, CASEWORKER if state == "approved" and rng.random() < 0.05 else "")
        due = date(2026, 1, 10) + timedelta(days=rng.randrange(330)) if role else None
        cases.append(Case(program=rng.choice(["dibao", "dibao", "tekun"]), household=hh, applicant_id=household.head_id,
                          region_id=hh.region_id, channel="window", state=state, is_open=is_open,
                          task_role=role, next_step="survey" if role else "", next_due=due,
                          overdue=bool(role) and rng.random() < 0.05, submitted_at=start + timedelta(hours=i),
                          created_by=people["caseworker"]))
    Case.objects.bulk_create(cases, batch_size=1000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_case; ANALYZE registry_person; ANALYZE regions_region")


def plan(run) -> str:
    """EXPLAIN of the statement ``run`` sends that reads cases_case."""
    with CaptureQueriesContext(connection) as captured:
        run()
    sql = next(q["sql"] for q in captured.captured_queries if 'FROM "cases_case"' in q["sql"])
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


def uses_an_index(text: str) -> bool:
    """cases_case is read by an index (a bitmap heap scan is driven by a bitmap index scan), never scanned."""
    by_index = re.search(r"(Index Scan|Index Only Scan)( Backward)? using \w+ on cases_case\b"
                         r"|Bitmap Heap Scan on cases_case\b", text)
    return bool(by_index) and not re.search(r"Seq Scan on cases_case\b", text)


SELECTORS = {
    "tasks of a township caseworker": ("caseworker", lambda actor: my_tasks(actor=actor)),
    "tasks of a township reviewer": ("reviewer", lambda actor: my_tasks(actor=actor)),
    "tasks of the county": ("county", lambda actor: my_tasks(actor=actor)),
    "tasks of a village assistant": ("village", lambda actor: my_tasks(actor=actor)),
    "township search by state": ("caseworker", lambda actor: cases_search(actor=actor, state="verifying")),
    "county search by a rare state": ("county", lambda actor: cases_search(actor=actor, state="awaiting_confirmation")),
    "county search by a common state": ("county", lambda actor: cases_search(actor=actor, state="approved")),
    "county supervision list": ("county", lambda actor: supervision_list(actor=actor)),
}


def test_selectors_read_cases_through_an_index(many_cases, people):
    # given thousands of analysed cases; when each selector runs
    plans = {name: plan(lambda: query(people[who])) for name, (who, query) in SELECTORS.items()}
    # then PostgreSQL reads cases_case through an index for every one of them
    scans = {name: text for name, text in plans.items() if not uses_an_index(text)}
    assert not scans, "\n\n".join(f"{name}:\n{text}" for name, text in scans.items())
