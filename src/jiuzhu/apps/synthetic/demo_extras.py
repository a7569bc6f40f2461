"""What the other demo modules leave empty, so that every page of the demo shows data (issue 13 §4):

* finished background jobs (后台任务): the county's monthly statistics (统计看板 then has its figures),
  an xlsx export by the township caseworker and one by the township lead, and the inspector's check of
  the audit chain (审计链校验 page) — each run in-process, as the worker would, through the job services;
* a household of the village assistant's village in the low-income register (低收入登记, 低保边缘);
* an API token of the township caseworker issued by the administrator (系统管理 → API 令牌);
* a proposed rise of the rural dibao standard from next month (系统管理 → 保障标准): ``county`` previews
  it, ``county_checker`` approves it (the preview is left to the user: it takes seconds).

Run after the timeline and the overdue marking (so the statistics count the overdue cases), at the
demo's ``now``, all through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from jiuzhu.apps.accounts.tokens import token_create
from jiuzhu.apps.enrollment.standard import region_policy, standard_propose
from jiuzhu.apps.jobs.registry import job_kind
from jiuzhu.apps.jobs.services import job_claim, job_enqueue, job_succeed
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.monitoring.services import lowincome_register
from jiuzhu.apps.registry.models import Household
from jiuzhu.rules.standard_checks import standard_key

from .demo_cases import VILLAGE_OF_ASSISTANT
from .demo_timeline import local_day

WORKER = "demo-loader"
STATS_MONTHS = 3  # months of statistics computed (the three paid months; about 2 s each)
STANDARD_SOURCE = "演示数据：淳安县民政局、淳安县财政局关于调整城乡最低生活保障标准的通知（示例，非真实文件）"


def _month(day: date, back: int) -> date:
    m = day.year * 12 + day.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def run_job(*, kind: str, params: dict, actor, region_code: str | None, at: datetime, key: str):
    """Queue a job and run it at once in this process as the worker would (claim, handler, success)."""
    job, _ = job_enqueue(kind=kind, params=params, key=key, actor=actor, region_code=region_code, now=at)
    claimed = job_claim(worker_id=WORKER, now=at)
    if claimed is None or claimed.pk != job.pk:
        raise RuntimeError(f"demo job {kind} not claimed (another job was due first)")
    entry = job_kind(kind)
    assert entry is not None  # noqa: S101 — job_enqueue checked the kind
    result = entry.handler(claimed, lambda *args: None)
    job_succeed(claimed, worker_id=WORKER, result=result, now=at)
    return claimed


class Extras:
    def __init__(self, world):
        self.w = world

    def stats(self, at: datetime) -> None:
        county = self.w.users["county"]
        today = local_day(at)
        for back in range(STATS_MONTHS - 1, -1, -1):
            month = f"{_month(today, back):%Y-%m}"
            run_job(kind="stats.compute", params={"region": self.w.county, "month": month}, actor=county,
                    region_code=self.w.county, at=at, key=f"demo:stats:{month}")

    def exports(self, at: datetime) -> None:
        for username, kind in (("township", "cases"), ("township_lead", "enrollments")):
            user = self.w.users[username]
            run_job(kind="exports.xlsx", params={"kind": kind, "filters": {}, "full": False}, actor=user,
                    region_code=user.region_id, at=at, key=f"demo:export:{username}")

    def audit_check(self, at: datetime) -> None:
        run_job(kind="audit.verify", params={}, actor=self.w.users["inspector"], region_code=None, at=at,
                key="demo:audit_verify")

    def register(self, at: datetime) -> None:
        """A household of the assistant's village, neither enrolled nor applying, as 低保边缘."""
        taken = LowIncomeEntry.objects.values_list("household_id", flat=True)
        household = (Household.objects.filter(region_id=VILLAGE_OF_ASSISTANT, enrollments__isnull=True,
                                              cases__isnull=True)
                     .exclude(pk__in=taken).order_by("id").first())
        if household is None:
            return
        recognized = self.w.tl.back(10)
        lowincome_register(actor=self.w.users["village"], now=at,
                           data={"household": household.pk, "category": "edge",
                                 "recognized_on": recognized.isoformat(),
                                 "valid_until": (recognized + timedelta(days=365)).isoformat(),
                                 "note": "家庭人均收入略高于低保标准，经村(居)评议纳入低保边缘家庭"})

    def token(self, at: datetime) -> None:
        token_create(user=self.w.users["township"], name="演示：乡镇业务系统对接", actor=self.w.users["admin"])

    def standard(self, at: datetime) -> None:
        """The county proposes next month's rural dibao standard 50 yuan higher."""
        today = local_day(at)
        start = _month(today, -1)
        current = Decimal(str(region_policy(self.w.county).lookup(standard_key("dibao", "rural"), today)))
        county = self.w.users["county"]
        standard_propose(actor=county, region_code=self.w.county, program="dibao", area_type="rural",
                                  amount=str(current + 50), start_date=start, source=STANDARD_SOURCE, now=at)


def extras_load(world, *, at: datetime) -> None:
    extras = Extras(world)
    for step in (extras.register, extras.token, extras.standard, extras.exports, extras.stats, extras.audit_check):
        step(at)
