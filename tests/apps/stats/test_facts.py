"""The monthly statistics facts against a per-row reference computed here from the same rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment.models import Enrollment, EnrollmentChange
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.stats.models import StatFact
from jiuzhu.apps.stats.services import stats_compute
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.rules.calendar import count_workdays
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

from .conftest import DEC, NOV, NOW

pytestmark = pytest.mark.django_db


def town(code: str) -> str:
    return code[:9] + "000"


def facts(month) -> dict:
    return {(f.region, f.program, f.metric, f.category): f.value
            for f in StatFact.objects.filter(month=month)}


def reference_enrolled(month: date) -> dict:
    """Per row: the terms in force in ``month`` (old values of the earliest later change) decide."""
    out = defaultdict(Decimal)
    for e in Enrollment.objects.select_related("household"):
        later = EnrollmentChange.objects.filter(enrollment=e, effective_month__gt=month).order_by("effective_month", "id").first()
        status = later.old_status if later else e.status
        if status in Enrollment.LIVE and e.start_month <= month and (e.stopped_month is None or e.stopped_month > month):
            key = (town(e.region_id), e.program, e.household.area_type)
            out[("enrolled.households",) + key] += 1
            out[("enrolled.persons",) + key] += e.persons
    return out


def test_enrolled_counts_equal_the_per_row_reference(stats_world):
    # given the world; when November and December are computed
    for month in (NOV, DEC):
        stats_compute(month=month, region_code=COUNTY, actor=stats_world.maker, now=NOW)
        got = facts(month)
        # then every enrolled count equals the reference (B's stopped household counts in November only)
        expected = reference_enrolled(month)
        for (metric, region, program, category), value in expected.items():
            assert got[(region, program, metric, category)] == value, (month, metric, region, program, category)
        produced = {k: v for k, v in got.items() if k[2] in ("enrolled.households", "enrolled.persons")}
        assert len(produced) == len(expected)
    assert facts(NOV)[(TOWNSHIP_B, "dibao", "enrolled.households", "rural")] == 2
    assert facts(DEC)[(TOWNSHIP_B, "dibao", "enrolled.households", "rural")] == 1
    assert facts(NOV)[(TOWNSHIP_A, "dibao", "enrolled.households", "urban")] == 1
    assert facts(NOV)[(TOWNSHIP_A, "tekun", "tekun.persons", "centralized")] == 1


def test_amounts_paid_equal_the_payroll_lines_to_the_fen(stats_world):
    # given November's approved batch and December's unapproved one
    # when both months are computed
    stats_compute(month=NOV, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    stats_compute(month=DEC, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    # then November's amounts per township and program are the sums of its lines, to the fen
    amounts, persons = defaultdict(Decimal), defaultdict(int)
    for line in PaymentLine.objects.filter(month=NOV, batch__status__in=["approved", "reconciled"]).exclude(status="failed"):
        amounts[(town(line.region_id), line.program)] += line.amount
        persons[(town(line.region_id), line.program)] += line.persons
    got = facts(NOV)
    assert amounts and sum(amounts.values()) == Decimal("4350.49")
    for (region, program), amount in amounts.items():
        assert got[(region, program, "paid.amount", "")] == amount
        assert got[(region, program, "paid.persons", "")] == persons[(region, program)]
        per_capita = (amount / persons[(region, program)]).quantize(Decimal("0.01"))
        assert got[(region, program, "paid.per_capita", "")] == per_capita
    # and December's prepared (not approved) batch pays nothing yet
    assert not [k for k in facts(DEC) if k[2] == "paid.amount"]
    assert PaymentLine.objects.filter(month=DEC).exists()


def test_flows_cases_alerts_register_and_review(stats_world):
    # when
    stats_compute(month=NOV, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    stats_compute(month=DEC, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    nov, dec = facts(NOV), facts(DEC)
    # then new / adjusted / stopped by the month their change takes effect
    assert nov[(TOWNSHIP_A, "dibao", "enroll.new", "")] == 1
    assert nov[(TOWNSHIP_A, "dibao", "enroll.adjusted", "")] == 1
    assert dec[(TOWNSHIP_B, "dibao", "enroll.adjusted", "")] == 1
    assert dec[(TOWNSHIP_B, "dibao", "enroll.stopped", "")] == 1
    assert (TOWNSHIP_B, "dibao", "enroll.stopped", "") not in nov
    # processing time in working days from the overall start to closing (reference: the calendar)
    wd = count_workdays(work_calendar(), date(2026, 10, 12), date(2026, 11, 5))
    assert nov[(TOWNSHIP_A, "tekun", "cases.median_wd", "")] == Decimal(wd)
    assert nov[(TOWNSHIP_A, "tekun", "cases.within_limit", "")] == (1 if wd <= 20 else 0)
    assert nov[(TOWNSHIP_A, "tekun", "cases.wd_hist", f"{wd:03d}")] == 1
    # overdue open cases as they stood at the month's end (B's deadline was met only on 3 December)
    assert nov[(TOWNSHIP_A, "dibao", "cases.overdue_open", "")] == 1
    assert nov[(TOWNSHIP_B, "dibao", "cases.overdue_open", "")] == 1
    assert dec[(TOWNSHIP_A, "dibao", "cases.overdue_open", "")] == 1
    assert (TOWNSHIP_B, "dibao", "cases.overdue_open", "") not in dec
    # alerts by type and outcome at the cut-off: B's disposition came in December
    assert nov[(TOWNSHIP_A, "all", "alerts", "death:implement")] == 1
    assert nov[(TOWNSHIP_B, "all", "alerts", "unemployment:pending")] == 1
    # register and 年审 progress
    assert nov[(TOWNSHIP_B, "all", "register.households", "edge")] == 1
    assert nov[(TOWNSHIP_A, "all", "register.temporary", "temporary")] == 1
    assert nov[(TOWNSHIP_A, "dibao", "review.total", "")] == 2
    assert nov[(TOWNSHIP_A, "dibao", "review.done", "")] == 1
    counts = Counter(k[2] for k in nov)
    assert counts["cases.submitted"] == 1  # the two rechecks of November (one row, category recheck)


def test_recompute_is_idempotent_and_audited(stats_world):
    # given a computed month
    first = stats_compute(month=NOV, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    before = facts(NOV)
    # when it is computed again
    second = stats_compute(month=NOV, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    # then the same rows, replaced (not added), each run audited
    assert facts(NOV) == before and first["rows"] == second["rows"] == StatFact.objects.filter(month=NOV).count()
    assert AuditEvent.objects.filter(action="stats.compute").count() == 2


def test_a_township_recompute_replaces_only_that_township(stats_world):
    # given the county computed
    stats_compute(month=NOV, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    b_rows = StatFact.objects.filter(month=NOV, region=TOWNSHIP_B).count()
    # when township A alone is recomputed after A's data changed
    stats_world.e.a1.status = "suspended"
    stats_world.e.a1.save(update_fields=["status"])
    stats_compute(month=NOV, region_code=TOWNSHIP_A, actor=stats_world.maker, now=NOW)
    # then B's facts are untouched and A's reflect the data (a suspended enrollment is still enrolled)
    assert StatFact.objects.filter(month=NOV, region=TOWNSHIP_B).count() == b_rows
    assert facts(NOV)[(TOWNSHIP_A, "dibao", "enrolled.households", "rural")] == 1


def test_a_past_month_is_recomputable_from_the_data(stats_world):
    # given a month long past (before B's stop and A's new enrollment)
    # when it is computed today
    stats_compute(month=date(2026, 6, 1), region_code=COUNTY, actor=stats_world.maker, now=NOW)
    got = facts(date(2026, 6, 1))
    # then it shows the enrollments in force then, B's stopped household included
    assert got[(TOWNSHIP_B, "dibao", "enrolled.households", "rural")] == 2
    assert got[(TOWNSHIP_A, "dibao", "enrolled.households", "rural")] == 1
    assert (TOWNSHIP_A, "dibao", "enrolled.households", "urban") not in got
    assert got[(TOWNSHIP_A, "tekun", "enrolled.persons", "rural")] == 1
    assert not [k for k in got if k[2] == "enroll.new"]


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "", "11-2026", "abcd-ef"])
def test_bad_month_is_refused_naming_month(stats_world, month):
    # when / then
    with pytest.raises(ValidationFailed) as err:
        stats_compute(month=month, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    assert err.value.details["field"] == "month" and "month" in err.value.message and "YYYY-MM" in err.value.message
    assert not StatFact.objects.exists()


def test_future_month_and_bad_region_are_refused(stats_world):
    with pytest.raises(ValidationFailed) as err:
        stats_compute(month="2027-01", region_code=COUNTY, actor=stats_world.maker, now=NOW)
    assert err.value.details["field"] == "month"
    with pytest.raises(ValidationFailed) as err:
        stats_compute(month="2026-11", region_code="330127100201", actor=stats_world.maker, now=NOW)
    assert err.value.details["field"] == "region"


def test_township_staff_cannot_compute(stats_world, outsider):
    with pytest.raises(Forbidden):
        stats_compute(month=NOV, region_code=TOWNSHIP_B, actor=outsider, now=NOW)
    assert not StatFact.objects.exists()


def test_step_times_are_counted_in_working_days_per_step(stats_world):
    # given steps met in November: 受理 in 2 working days on time, 入户调查 late and an extended overall limit
    from jiuzhu.apps.cases.models import CaseDeadline

    c = stats_world.closed
    c.extended = True
    c.save(update_fields=["extended"])
    start = date(2026, 11, 2)  # a Monday
    CaseDeadline.objects.create(case=c, step="acceptance", amount=5, starts_on=start, due=date(2026, 11, 6),
                                met_on=date(2026, 11, 4), status="met")
    CaseDeadline.objects.create(case=c, step="survey", amount=3, starts_on=start, due=date(2026, 11, 5),
                                met_on=date(2026, 11, 9), status="met")
    CaseDeadline.objects.create(case=c, step="overall", amount=30, starts_on=date(2026, 10, 12),
                                due=date(2026, 12, 1), met_on=date(2026, 11, 5), status="met")
    CaseDeadline.objects.create(case=c, step="notice_period", amount=7, unit="cd", starts_on=start,
                                due=date(2026, 11, 9), met_on=date(2026, 11, 9), status="met")  # calendar days: left out
    # when November is computed
    stats_compute(month=NOV, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    got = facts(NOV)
    # then the hand-counted working days (the calendar's), met counts, on-time counts and the extension
    cal = work_calendar()
    acc, srv = count_workdays(cal, start, date(2026, 11, 4)), count_workdays(cal, start, date(2026, 11, 9))
    assert (acc, srv) == (2, 5)
    assert got[(TOWNSHIP_A, "tekun", "steps.wd_hist", f"acceptance:{acc:03d}")] == 1
    assert got[(TOWNSHIP_A, "tekun", "steps.wd_hist", f"survey:{srv:03d}")] == 1
    assert got[(TOWNSHIP_A, "tekun", "steps.on_time", "acceptance")] == 1
    assert (TOWNSHIP_A, "tekun", "steps.on_time", "survey") not in got
    assert got[(TOWNSHIP_A, "tekun", "steps.met", "survey")] == 1
    assert got[(TOWNSHIP_A, "tekun", "steps.extended", "overall")] == 1
    assert not [k for k in got if k[3].startswith("notice_period")]


def test_the_demo_computes_its_paid_months(stats_world):
    # given the demo's payroll months (one of them not started yet); when the demo computes them
    from jiuzhu.apps.synthetic.demo_stats import demo_stats_compute

    rows = demo_stats_compute(["2026-11", "2026-11", "2027-01"], now=NOW)
    # then November's facts are there (once), the future month is skipped
    assert rows == StatFact.objects.count() > 0
    assert set(StatFact.objects.values_list("month", flat=True)) == {NOV}
