"""Policy simulation (issue 17 §5): the columnar simulation's movements and amounts equal the
single-case engine's under the policy without and with the change, over enrolled and not-enrolled
registry households; it writes nothing; bad input is refused naming the field; a simulation of
standards becomes a proposal; the job and the command line run the same service."""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange, StandardChange
from jiuzhu.apps.enrollment.simulation import policies, run_simulation, simulation_propose
from jiuzhu.apps.enrollment.standard import region_policy
from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.jobs.services import job_enqueue
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.jobs_helpers import run_jobs

from .standard_helpers import COUNTY, VILLAGE_B, enroll, hh_factory, requests_from_db, single_case  # noqa: F401

START = date(2027, 1, 1)


def rural_standard() -> Decimal:
    return Decimal(region_policy(COUNTY).lookup("dibao.standard.rural", START))


@pytest.fixture
def population(hh_factory):  # noqa: F811
    """24 rural and urban households with incomes around the standard; every third one (and the 0.25 ones) enrolled."""
    rng = random.Random(17)
    standard = rural_standard()
    out = []
    for i in range(24):
        ratios = ("0.1", "0.25", "0.5", "0.9", "0.97", "1.02", "1.1", "1.4", "1.6", "2.2", "2.7", "0.35")
        pci = int(standard * Decimal(ratios[i % len(ratios)]))
        hh = hh_factory(incomes=(pci, pci), area_type=rng.choice(("rural", "rural", "urban")),
                        region=VILLAGE_B if i % 4 == 0 else "330127100201")
        if i % 3 == 0 or i % 12 == 1:
            enroll(hh, amount="500.00", klass="C")
        out.append(hh)
    return out


def expected_movement(old: dict, new: dict, enrolled: bool) -> str:
    o, n = old["status"] == "dibao", new["status"] == "dibao"
    if enrolled:
        if o and not n:
            return "leave"
        if n and not o:
            return "amount"
        if o and n and old["class"] != new["class"]:
            return "class"
        if o and n and old["monthly_amount"] != new["monthly_amount"]:
            return "amount"
        return "none"
    return "enter" if n and not o else "none"


def state():
    return (Enrollment.objects.count(), EnrollmentChange.objects.count(), StandardChange.objects.count(),
            AuditEvent.objects.count(), Household.objects.count(), Person.objects.count(),
            Membership.objects.count(), list(Enrollment.objects.order_by("pk").values_list("amount", "klass")))


@pytest.mark.parametrize("changes", [
    {"dibao.standard.rural": "+250"},
    {"edge.multiplier": "2.5"},
    {"dibao.tiers.1.upper_ratio": "0.3", "dibao.special_addon_ratio": "0.5"},
    {"income.employment_deduction_cap": "600", "dibao.standard.urban": "+100"},
])
def test_simulation_equals_single_case_and_writes_nothing(county_user, population, changes):
    # given the registry population and a change of one or more dated parameters from 2027-01-01
    policy = region_policy(COUNTY)
    values = {k: str(Decimal(policy.lookup(k, START)) + Decimal(v[1:])) if v.startswith("+") else v
              for k, v in changes.items()}
    before_state = state()
    # when the simulation runs
    sim = run_simulation(actor=county_user, region_code=COUNTY, start_date="2027-01-01", changes=values)
    # then nothing changed in the database
    assert state() == before_state
    # and every household's movement and amounts are the single-case engine's
    before, after = policies(COUNTY, START, sim.changes)
    requests = requests_from_db(as_of=START)
    enrolled = set(Enrollment.objects.values_list("household_id", flat=True))
    rows = {r["household_id"]: r for r in sim.rows.to_pylist()}
    assert set(rows) == {h.pk for h in population}
    moved = edged = 0
    for hid, request in requests.items():
        old, new = single_case(request, before), single_case(request, after)
        row = rows[hid]
        assert (row["old_status"], row["new_status"]) == (old["status"], new["status"]), hid
        assert row["old_fen"] == (int(Decimal(old["monthly_amount"]) * 100) if old["status"] == "dibao" else 0)
        assert row["new_fen"] == (int(Decimal(new["monthly_amount"]) * 100) if new["status"] == "dibao" else 0)
        assert row["movement"] == expected_movement(old, new, hid in enrolled), hid
        edge = {(False, True): "in", (True, False): "out"}.get((old["status"] == "edge", new["status"] == "edge"), "")
        assert row["edge"] == edge, hid
        moved += row["movement"] != "none"
        edged += row["movement"] != "none" or edge != ""
    assert edged > 0, "the change moves at least one household"
    s = sim.summary
    assert sum(s["counts"].values()) == moved and s["affected"] == edged
    assert Decimal(s["diff_year"]) == Decimal(s["diff_month"]) * 12
    assert sum(Decimal(t["diff_month"]) for t in s["townships"]) == Decimal(s["diff_month"])
    assert sum(b["count"] for b in s["histogram"]) == moved


def test_standard_raise_lets_households_enter(county_user, population):
    # given a much higher rural standard
    sim = run_simulation(actor=county_user, region_code=COUNTY, start_date=START,
                         changes={"dibao.standard.rural": str(rural_standard() * 2)})
    # then registry households not enrolled enter, and the month costs more
    assert sim.summary["counts"]["enter"] > 0 and Decimal(sim.summary["diff_month"]) > 0
    entering = [r for r in sim.rows.to_pylist() if r["movement"] == "enter"]
    assert all(r["enrolled"] == "" and r["new_status"] == "dibao" for r in entering)


@pytest.mark.parametrize(("start", "changes", "field", "words"), [
    ("2027-13-01", {"dibao.standard.rural": "1500"}, "start_date", "格式错误"),
    ("2027-01-15", {"dibao.standard.rural": "1500"}, "start_date", "某月1日"),
    ("2025-01-01", {"dibao.standard.rural": "1500"}, "start_date", "须晚于"),
    ("2027-01-01", {"dibao.standard.rural": "-5"}, "dibao.standard.rural", "农村低保标准"),
    ("2027-01-01", {"edge.multiplier": "abc"}, "edge.multiplier", "不是有效数值"),
    ("2027-01-01", {"dibao.standard.rural": "1500.123"}, "dibao.standard.rural", "两位小数"),
    ("2027-01-01", {"tekun.secret": "1"}, "tekun.secret", "不能测算"),
    ("2027-01-01", {}, "changes", "至少填写一项"),
])
def test_bad_input_is_refused_naming_the_field(county_user, start, changes, field, words):
    before_state = state()
    with pytest.raises(ValidationFailed) as exc:
        run_simulation(actor=county_user, region_code=COUNTY, start_date=start, changes=changes)
    assert exc.value.details["field"] == field and words in exc.value.message and f"字段：{field}" in exc.value.message
    assert state() == before_state


def test_township_staff_may_not_simulate(caseworker):
    with pytest.raises(Forbidden):
        run_simulation(actor=caseworker, region_code=COUNTY, start_date=START, changes={"edge.multiplier": "2"})


def test_simulation_becomes_a_standard_proposal(county_user, population):
    # given a simulated rural standard
    value = str(rural_standard() + 99)
    # when it is turned into a proposal
    changes = simulation_propose(actor=county_user, region_code=COUNTY, start_date="2027-01-01",
                                 changes={"dibao.standard.rural": value, "edge.multiplier": "2"}, source="淳民〔2027〕1号")
    # then one proposed standard change carries the simulated value and start
    assert len(changes) == 1
    c = StandardChange.objects.get()
    assert (c.status, c.area_type, c.amount, c.start_date) == ("proposed", "rural", Decimal(value), START)
    # a simulation of other parameters only cannot be proposed
    with pytest.raises(ValidationFailed) as exc:
        simulation_propose(actor=county_user, region_code=COUNTY, start_date="2027-01-01",
                           changes={"edge.multiplier": "2"}, source="x")
    assert exc.value.details["field"] == "changes"


def test_simulation_job_and_command_line(county_user, population, capsys):
    # given the population, when the simulation runs as a job
    before_state = state()
    job, _ = job_enqueue(kind="enrollment.standard_simulate", params={
        "region": COUNTY, "start_date": "2027-01-01", "changes": {"dibao.standard.rural": str(rural_standard() + 300)}},
        key=None, actor=county_user, region_code=COUNTY, now=timezone.now())
    run_jobs()
    job.refresh_from_db()
    # then its result is the summary, the affected rows are kept outside the database, nothing changed
    assert job.status == Job.Status.SUCCEEDED and job.result["affected"] > 0 and job.result["simulation_folder"]
    assert state() == before_state
    # and the command line prints the same summary
    call_command("standard", "simulate", "--region", COUNTY, "--start", "2027-01-01",
                 "--set", f"dibao.standard.rural={rural_standard() + 300}", "--json", "--no-progress")
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["counts"] == job.result["counts"] and printed["diff_year"] == job.result["diff_year"]


def test_command_line_bad_input_exits_2_naming_the_field(regions):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("standard", "simulate", "--region", COUNTY, "--start", "2027-01-01",
                     "--set", "dibao.standard.rural=-1", "--no-progress")
    assert exc.value.returncode == 2 and "农村低保标准" in str(exc.value) and "字段：dibao.standard.rural" in str(exc.value)


def test_tekun_amounts_follow_a_new_basic_standard(county_user, hh_factory, capsys):  # noqa: F811
    # given a 特困 person enrolled at the partial-care amount of the policy in force
    from jiuzhu.batch.standard import tekun_amounts

    policy = region_policy(COUNTY)
    levels = tekun_amounts(policy, START)
    hh = hh_factory(incomes=(0,))
    enroll(hh, amount=str(Decimal(levels[("rural", "partial")]) / 100), klass="", program="tekun", person=hh.head)
    # when the rural 特困 basic standard is raised by 100
    new_basic = Decimal(policy.lookup("tekun.basic_standard.rural", START)) + 100
    sim = run_simulation(actor=county_user, region_code=COUNTY, start_date=START,
                         changes={"tekun.basic_standard.rural": str(new_basic)})
    # then the enrollment's amount rises by the single-case engine's difference
    before, after = policies(COUNTY, START, sim.changes)
    diff = tekun_amounts(after, START)[("rural", "partial")] - levels[("rural", "partial")]
    assert diff == 10000
    assert sim.summary["tekun"] == {"enrolled": 1, "changed": 1, "unmatched": 0, "diff_month": "100.00",
                                    "diff_year": "1200.00"}
    # and the command line says so
    call_command("standard", "simulate", "--region", COUNTY, "--start", "2027-01-01",
                 "--set", f"tekun.basic_standard.rural={new_basic}", "--no-progress")
    assert "特困人员 1 人：供养金额变化 1 人，每月增支 100.00 元" in capsys.readouterr().out
