"""The demo's township 临时救助备用金 (issue 14 §2), all through the services and in date order:

* two months ago the county (``county``) allocates to each demo township;
* last month 千岛湖镇 (``township``) records three 急难型 cases and pays each first from the fund, requests a
  replenishment of the three draws and ``county_checker`` approves it;
* this month one more emergency is paid from the fund and its replenishment request awaits the county;
* the month before last is confirmed as reconciled, so the county's reconciliation page shows each status.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jiuzhu.apps.cases.services import case_act, case_submit
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.reserve.reconciliation import reserve_reconcile_confirm
from jiuzhu.apps.reserve.replenishment import reserve_replenish_approve, reserve_replenish_request
from jiuzhu.apps.reserve.services import reserve_allocate

from .demo import DEMO_TOWNSHIPS

ALLOCATIONS = ("20000", "10000", "8000")
EMERGENCIES = (  # day of last month, category, circumstance, amount, receipt
    (5, "fire", "住房失火，衣被、口粮焚毁，基本生活无着", "1000", "XJ-01"),
    (9, "traffic", "户主遭遇交通事故住院，家中暂无收入来源", "900", "XJ-02"),
    (16, "illness", "家庭成员突发重病，急需垫付生活费用", "800", "XJ-03"),
)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _month(day: date, back: int) -> date:
    m = day.year * 12 + day.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def _emergency(caseworker, household, when: datetime, category: str, circumstance: str, amount: str, receipt: str):
    case = case_submit(actor=caseworker, program="temporary", household_id=household.pk,
                       applicant_id=household.head_id, channel="window", now=when,
                       payload={"kind": "emergency", "category": category, "circumstance": circumstance,
                                "occurred_on": (when.date() - timedelta(days=1)).isoformat(),
                                "place_region": household.region_id, "need": amount})
    return case_act(actor=caseworker, case_id=case.pk, action="ta_pay_advance", now=when + timedelta(hours=2),
                    payload={"amount": amount, "reason": circumstance, "recipient": household.head_name,
                             "modality": "cash", "receipt_number": receipt, "from_reserve": True})


def demo_reserve_load(world, *, at: datetime) -> dict:
    today = timezone.localtime(at).date()
    users = world.users
    county, checker, caseworker = users["county"], users["county_checker"], users["township"]
    township = DEMO_TOWNSHIPS[0]
    before_last, last = _month(today, 2), _month(today, 1)
    for code, amount in zip(DEMO_TOWNSHIPS, ALLOCATIONS):
        reserve_allocate(actor=county, township_code=code, amount=amount, note="年度临时救助备用金拨付",
                         now=_at(before_last + timedelta(days=2), 9))
    homes = list(Household.objects.filter(region__code__startswith=township[:9], head__isnull=False)
                 .exclude(cases__program="temporary").order_by("id")[:len(EMERGENCIES) + 1])
    for home, (day, category, circumstance, amount, receipt) in zip(homes, EMERGENCIES):
        _emergency(caseworker, home, _at(last + timedelta(days=day - 1), 9), category, circumstance, amount, receipt)
    request = reserve_replenish_request(actor=caseworker, township_code=township, note="上月先行救助支出，申请补充",
                                        now=_at(last + timedelta(days=19), 10))
    reserve_replenish_approve(actor=checker, request_id=request.pk, reason="经审核，同意补充",
                              now=_at(last + timedelta(days=21), 15))
    this_month = _at(today.replace(day=1), 9)
    if len(homes) > len(EMERGENCIES) and this_month + timedelta(hours=2) <= at:
        _emergency(caseworker, homes[-1], this_month, "disaster", "暴雨致房屋受损，临时安置期间生活困难", "600", "XJ-04")
        reserve_replenish_request(actor=caseworker, township_code=township, note="本月先行救助支出", now=at)
    reserve_reconcile_confirm(actor=caseworker, township=township, month=before_last, now=at)
    return {"funds": len(DEMO_TOWNSHIPS), "draws": len(homes)}
