"""A small demo-like world for the monthly statistics: enrollments in townships A and B (new, adjusted,
stopped, a tekun person in 集中供养), November's payroll approved and December's only prepared, cases
(one closed and timed, two open with overdue deadlines, two 年审 rechecks), alerts and register entries.

Rows that the statistics only read (cases, deadlines, alerts, register entries) are created directly;
the payroll goes through its services so the lines are the real ones.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from jiuzhu.apps.cases.models import Case, CaseDeadline, CaseEvent, CaseRecord
from jiuzhu.apps.enrollment.models import EnrollmentChange
from jiuzhu.apps.monitoring.models import Alert, LowIncomeEntry, MonitorScan
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from jiuzhu.apps.reviews.models import ReviewCampaign
from tests.apps.payments.conftest import enroll, make_household, make_person, user
from tests.conftest import COUNTY, VILLAGE_A, VILLAGE_A2, VILLAGE_B

TZ = ZoneInfo("Asia/Shanghai")
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def change(e, *, kind, month, old_status="active", new_status="active", old="0", new="0"):
    return EnrollmentChange.objects.create(
        enrollment=e, kind=kind, old_amount=Decimal(old), new_amount=Decimal(new), old_status=old_status,
        new_status=new_status, old_class=e.klass, new_class=e.klass, effective_month=month, reason="测试",
        legal_ground="测试", at=at(month))


def case(household, applicant, actor, *, region, program="dibao", kind="application", state="accepted",
         submitted: date, closed: date | None = None, started: date | None = None, campaign=None):
    return Case.objects.create(program=program, kind=kind, household=household, applicant=applicant, region_id=region,
                               channel="window", state=state, is_open=closed is None, submitted_at=at(submitted),
                               closed_at=at(closed, 16) if closed else None, overall_started_on=started,
                               created_by=actor, campaign=campaign)


def deadline(c, *, due: date, met: date | None = None, supervised=True, starts=date(2026, 10, 1)):
    return CaseDeadline.objects.create(case=c, step="overall", amount=20, starts_on=starts, due=due, met_on=met,
                                       status="met" if met else "open", supervised=supervised)


def alert(scan, person, household, *, region, type_, detected: date, disposition="", disposed: date | None = None):
    return Alert.objects.create(scan=scan, dedup_key=f"{type_}:{person.pk}:{detected}", type=type_, source="test",
                                person=person, household=household, region_id=region, category="dibao",
                                event_date=detected, detected_on=detected, due_date=detected, suggested="implement",
                                disposition=disposition, disposed_on=disposed,
                                status="closed" if disposed else "open")


@pytest.fixture
def stats_world(regions, county_user):
    maker = user("stats_maker", "county_staff", COUNTY, "赵制单")
    checker = user("stats_checker", "county_staff", COUNTY, "钱审核")
    h = SimpleNamespace(a1=make_household(VILLAGE_A, head="张建国"), a2=make_household(VILLAGE_A2, head="王秀兰", members=3),
                        a3=make_household(VILLAGE_A, head="刘大海", members=1),
                        b1=make_household(VILLAGE_B, head="陈志强", members=4),
                        b2=make_household(VILLAGE_B, head="李卫东", members=2))
    h.a2.area_type = "urban"
    h.a2.save(update_fields=["area_type"])
    tekun_person = make_person("周桂英")
    e = SimpleNamespace(
        a1=enroll(h.a1, amount="650.00", persons=2, start=date(2026, 1, 1)),
        a2=enroll(h.a2, amount="1200.50", klass="B", persons=3, start=NOV),
        a3=enroll(h.a3, amount="800.00", persons=1, program="tekun", person=tekun_person, start=date(2026, 5, 1)),
        b1=enroll(h.b1, amount="999.99", klass="C", persons=4, start=date(2025, 6, 1), status="stopped",
                  stopped_month=DEC),
        b2=enroll(h.b2, amount="500.00", persons=2, start=date(2025, 6, 1)),
    )
    change(e.a1, kind="adjust", month=NOV, old="600.00", new="650.00")
    change(e.b1, kind="stop", month=DEC, new_status="stopped", old="999.99", new="999.99")
    change(e.b2, kind="adjust", month=DEC, old="700.00", new="500.00")

    # cases: the tekun application confirmed (集中供养), one open and overdue in A, one in B met late
    applicant = make_person("刘大海")
    closed = case(h.a3, applicant, county_user, region=VILLAGE_A, program="tekun", state="approved",
                  submitted=date(2026, 10, 9), started=date(2026, 10, 12), closed=date(2026, 11, 5))
    event = CaseEvent.objects.create(case=closed, at=at(date(2026, 11, 5)), action="confirm", actor=county_user,
                                     actor_name="county", to_state="approved")
    CaseRecord.objects.create(case=closed, event=event, kind="confirmation", data={"support_mode": "centralized"})
    e.a3.case = closed
    e.a3.save(update_fields=["case"])
    open_a = case(h.a1, make_person("张建国"), county_user, region=VILLAGE_A, submitted=date(2026, 10, 20))
    deadline(open_a, due=date(2026, 11, 20))
    open_b = case(h.b2, make_person("李卫东"), county_user, region=VILLAGE_B, submitted=date(2026, 10, 21))
    deadline(open_b, due=date(2026, 11, 10), met=date(2026, 12, 3))
    deadline(open_b, due=date(2026, 11, 2), supervised=False)  # a notice period is never overdue
    campaign = ReviewCampaign.objects.create(region_id=COUNTY, year=2026, due=date(2026, 12, 31), policy="reference",
                                             created_by=county_user, started_at=at(date(2026, 11, 2)))
    case(h.a1, make_person("张建国"), county_user, region=VILLAGE_A, kind="recheck", state="decided",
         submitted=date(2026, 11, 2), closed=date(2026, 11, 20), campaign=campaign)
    case(h.a2, make_person("王秀兰"), county_user, region=VILLAGE_A2, kind="recheck", state="scheduled",
         submitted=date(2026, 11, 2), campaign=campaign)

    scan = MonitorScan.objects.create(region_id=COUNTY, as_of=date(2026, 11, 10), created_at=at(date(2026, 11, 10)))
    alert(scan, applicant, h.a3, region=VILLAGE_A, type_="death", detected=date(2026, 11, 10),
          disposition="implement", disposed=date(2026, 11, 15))
    alert(scan, tekun_person, h.b1, region=VILLAGE_B, type_="unemployment", detected=date(2026, 11, 20),
          disposition="refer", disposed=date(2026, 12, 2))
    LowIncomeEntry.objects.create(household=h.b2, region_id=VILLAGE_B, category="edge", recognized_on=date(2026, 6, 1),
                                  valid_until=date(2027, 6, 1), created_at=at(date(2026, 6, 1)))
    LowIncomeEntry.objects.create(household=h.a1, region_id=VILLAGE_A, category="temporary",
                                  recognized_on=date(2026, 11, 15), created_at=at(date(2026, 11, 15)))

    nov = payroll_prepare(actor=maker, region_code=COUNTY, month=NOV, now=at(date(2026, 11, 25)))
    payroll_approve(actor=checker, batch_id=nov.pk, now=at(date(2026, 11, 26)))
    dec = payroll_prepare(actor=maker, region_code=COUNTY, month=DEC, now=at(date(2026, 12, 2)))  # not approved
    return SimpleNamespace(h=h, e=e, maker=maker, checker=checker, nov=nov, dec=dec, closed=closed, open_a=open_a,
                           open_b=open_b, campaign=campaign)


def lines_off_by(monkeypatch, fen: int, where: str, args: tuple) -> None:
    """The statistics read the month's payment lines with ``fen`` added to the amount of those
    matching ``where`` (SQL over the lines' columns, ``args`` its parameters): a reader bug the ledger
    check must catch. The lines' query is changed, so both the in-memory and the pushed-down
    computation (PostgreSQL) see it."""
    from jiuzhu.apps.stats import readers

    query, schema = readers.ROW_QUERIES["lines"]

    def changed(low, high, month):
        sql, params = query(low, high, month)
        return (f"SELECT q.region_id, q.program, q.enrollment_id, q.household_id, q.persons, "
                f"q.amount_fen + CASE WHEN {where} THEN %s ELSE 0 END FROM ({sql}) q", (*args, fen, *params))

    monkeypatch.setitem(readers.ROW_QUERIES, "lines", (changed, schema))
