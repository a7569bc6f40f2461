"""自查自纠 campaigns (issue 15 §5): a county user starts a campaign (name, as-of date, checks); it runs
as the background job ``integrity.selfcheck`` over the county's whole caseload, columnar
(jiuzhu.batch.selfcheck on DuckDB for the department snapshots, one SQL read each for the database
checks and the staff near-relatives register), and stores every hit as a rectification item for its township, due in the region's working
days (``selfcheck.rectify_working_days``). Outcomes: selfcheck_resolve.py."""

from __future__ import annotations

import datetime as dt
import time
from datetime import datetime
from decimal import Decimal
from typing import cast

import pyarrow as pa
from django.db import transaction
from django.utils import timezone
from pydantic import Field

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.cases.payloads import PastDate
from jiuzhu.apps.jobs.services import job_enqueue
from jiuzhu.apps.regions.codes import is_valid_code, level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.apps.verification.files import absolute
from jiuzhu.apps.verification.services import latest_snapshots
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.batch import selfcheck as batch
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.core.validation import validate
from jiuzhu.rules.calendar import add_workdays
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.selfcheck import CHECKS, check_codes, selfcheck_terms

from .payloads import Payload
from .selfcheck_models import RectificationItem, SelfCheckCampaign
from .selfcheck_population import above_line, covered_population, late_approvals
from .selfcheck_relatives import relatives_unfiled
from .services import township_of

JOB_KIND = "integrity.selfcheck"
SUBJECT = "selfcheck_campaign"


class StartPayload(Payload):
    name: str = Field(title="名称", min_length=2, max_length=100)
    as_of: PastDate = Field(title="检查基准日")
    checks: list[str] = Field(title="检查项目", min_length=1, max_length=len(CHECKS))


def _county(actor, region_code) -> Region:
    code = str(region_code or "").strip()
    if not is_valid_code(code) or level_of(code) != 3:
        raise ValidationFailed("selfcheck.region", f"区划代码“{code}”应为县级区划的12位代码（字段：region）",
                               field="region")
    region = Region.objects.filter(pk=code).first()
    if region is None or not in_scope(actor, code):
        raise NotFound("not_found", "区划不存在或不在您的管辖范围内", field="region")
    return region


class _Duplicate(Exception):
    def __init__(self, job):
        self.job = job


def selfcheck_start(*, actor, region_code, data, now: datetime, key: str | None = None) -> SelfCheckCampaign:
    """Record the campaign and queue its job. Bad input (name, date, checks, region) changes nothing.
    ``key`` (a form's one-time token): the same form submitted twice starts one campaign."""
    if not can(actor, "selfcheck.start"):
        raise Forbidden("forbidden", "只有县民政可以发起自查自纠")
    cleaned = cast(StartPayload, validate(StartPayload, data, today=timezone.localtime(now).date()))
    try:
        checks = check_codes(cleaned.checks)
    except ValueError as exc:
        raise ValidationFailed("selfcheck.checks", f"检查项目“{exc}”不存在，可选：{'、'.join(c.label for c in CHECKS.values())}"
                               "（字段：checks）", field="checks") from None
    region = _county(actor, region_code)
    selfcheck_terms(load_policy(region_config(region.code).policy), cleaned.as_of)  # names a missing parameter
    job_key = f"selfcheck:{key}" if key else None
    try:
        with transaction.atomic():
            campaign = SelfCheckCampaign.objects.create(name=cleaned.name, region=region, as_of=cleaned.as_of,
                                                        checks=checks, created_by=actor, created_at=now)
            job, created = job_enqueue(kind=JOB_KIND, params={"campaign": campaign.pk},
                                       key=job_key or f"selfcheck:campaign:{campaign.pk}", actor=actor,
                                       region_code=region.code, now=now)
            if not created:
                raise _Duplicate(job)  # rolls the second campaign back
            campaign.job_id = job.pk
            campaign.save(update_fields=["job_id"])
            audit_record(actor=actor, action="selfcheck.start", subject_type=SUBJECT, subject_id=campaign.pk,
                         region_code=region.code, after={"name": campaign.name, "as_of": cleaned.as_of.isoformat(),
                                                         "checks": checks, "job": job.pk}, at=now)
    except _Duplicate as dup:
        return SelfCheckCampaign.objects.get(pk=dup.job.params["campaign"])
    return campaign


def _department_hits(campaign, low, high, progress) -> tuple[pa.Table, int, int, list, list, dict]:
    policy_name = region_config(campaign.region_id).policy
    terms = selfcheck_terms(load_policy(policy_name), campaign.as_of, policy_name)
    population = covered_population(low, high)
    names = sorted(set(population.column("policy").to_pylist())) or [policy_name]
    all_terms = {n: selfcheck_terms(load_policy(n), campaign.as_of, n) for n in names}
    wanted = {CHECKS[c].dataset for c in campaign.checks if CHECKS[c].dataset}
    snaps = [s for s in latest_snapshots(campaign.as_of) if s.source_id in wanted]
    result = batch.run(population, {s.source_id: absolute(s.path) for s in snaps}, checks=list(campaign.checks),
                       as_of=campaign.as_of, terms=batch.terms_table(list(all_terms.values())), progress=progress)
    meta = [{"id": s.pk, "source": s.source_id, "as_of": s.as_of.isoformat(), "sha256": s.sha256} for s in snaps]
    params = {n: t.sources for n, t in sorted(all_terms.items())} or {policy_name: terms.sources}
    return result.hits, population.num_rows, result.matched, list(result.skipped), meta, params


def selfcheck_run(*, campaign_id: int, now: datetime, progress=None) -> SelfCheckCampaign:
    """Run a queued campaign: every chosen check, then the items in bulk (one transaction)."""
    step = progress or (lambda *a: None)
    campaign = SelfCheckCampaign.objects.get(pk=campaign_id)
    if campaign.status == SelfCheckCampaign.Status.DONE:
        return campaign  # a retried job never stores the hits twice
    started = time.perf_counter()
    SelfCheckCampaign.objects.filter(pk=campaign.pk).update(status=SelfCheckCampaign.Status.RUNNING)
    low, high = subtree_range(campaign.region_id)
    hits, population, matched, skipped, meta, params = _department_hits(campaign, low, high, step)
    parts = [hits]
    if "above_line" in campaign.checks:
        step("核对收入超标准", 0, 1)
        parts.append(above_line(low, high, campaign.as_of))
    if "late_approval" in campaign.checks:
        step("超时限审批", 0, 1)
        parts.append(late_approvals(low, high, campaign.as_of))
    extra: dict[tuple, dict] = {}
    if "relatives_unfiled" in campaign.checks:
        step("近亲属备案", 0, 1)
        unfiled, extra = relatives_unfiled(low, high)
        parts.append(unfiled)
    table = pa.concat_tables(parts)
    today = timezone.localtime(now).date()
    rectify = selfcheck_terms(load_policy(region_config(campaign.region_id).policy), campaign.as_of).rectify_working_days
    due = add_workdays(work_calendar(), today, rectify)  # names a year the calendar lacks
    rows = table.to_pylist()
    step("保存整改事项", 0, len(rows))
    counts: dict[str, int] = {}
    items = []
    snap_of = {m["source"]: m for m in meta}
    for r in rows:
        counts[r["check"]] = counts.get(r["check"], 0) + 1
        items.append(RectificationItem(
            campaign_id=campaign.pk, key=f"{r['check']}:{r['enrollment_id']}:{r['person_id'] or 0}",
            check_code=r["check"], enrollment_id=r["enrollment_id"], household_id=r["household_id"],
            person_id=r["person_id"], region_id=township_of(r["region"]), village_id=r["region"],
            event_date=r["event_date"], amount=Decimal(r["amount_fen"]).scaleb(-2), detail=(r["detail"] or "")[:200],
            evidence={**_evidence(r, snap_of), **extra.get((r["check"], r["enrollment_id"], r["person_id"]), {})},
            due_date=due))
    with transaction.atomic():
        RectificationItem.objects.bulk_create(items, batch_size=2000)
        SelfCheckCampaign.objects.filter(pk=campaign.pk).update(
            status=SelfCheckCampaign.Status.DONE, population=population, matched=matched, hits=len(items),
            counts=dict(sorted(counts.items())), skipped=skipped, snapshots=meta, params=params, due_date=due,
            seconds=round(time.perf_counter() - started, 3), finished_at=now)
        audit_record(actor=campaign.created_by, action="selfcheck.run", subject_type=SUBJECT, subject_id=campaign.pk,
                     region_code=campaign.region_id, at=now,
                     after={"hits": len(items), "counts": counts, "skipped": skipped, "due_date": due.isoformat()},
                     details={"snapshots": [m["id"] for m in meta]})
    step("保存整改事项", len(rows), len(rows))
    campaign.refresh_from_db()
    return campaign


def _evidence(row: dict, snapshots: dict) -> dict:
    check = CHECKS[row["check"]]
    out = {"rule": check.rule, "hint": check.hint, "detail": row["detail"] or "",
           "event_date": row["event_date"].isoformat() if isinstance(row["event_date"], dt.date) else None,
           "amount": str(Decimal(row["amount_fen"]).scaleb(-2))}
    if check.dataset:
        snap = snapshots.get(check.dataset, {})
        out.update(source=check.dataset, source_name=DATASETS[check.dataset].name,
                   department=DATASETS[check.dataset].department, snapshot=snap.get("id"),
                   snapshot_as_of=snap.get("as_of"))
    else:
        out.update(source="case", source_name="本系统案件及核对记录")
    return out


def selfcheck_job(job, progress) -> dict:
    campaign_id = int(job.params["campaign"])
    try:
        campaign = selfcheck_run(campaign_id=campaign_id, now=timezone.now(),
                                 progress=lambda stage, done, total: progress(done, total, stage))
    except Exception as exc:  # the job records the error; the campaign shows it too
        message = getattr(exc, "message", "") or "检查出错，请查看后台任务"
        SelfCheckCampaign.objects.filter(pk=campaign_id).update(status=SelfCheckCampaign.Status.FAILED,
                                                                error=str(message)[:500])
        raise
    return {"campaign_id": campaign.pk, "hits": campaign.hits, "population": campaign.population}


def campaigns_visible(*, actor):
    """Campaigns of the actor's county (a township user sees its county's campaigns; the items are scoped)."""
    qs = SelfCheckCampaign.objects.select_related("region", "created_by")
    region = getattr(actor, "region_id", "") or ""
    if not region or not getattr(actor, "is_active", False):
        return qs.none()
    if level_of(region) >= 3:
        return qs.filter(region_id=region[:6] + "000000")
    return scope_filter(qs, actor)


def campaign_get(*, actor, campaign_id) -> SelfCheckCampaign:
    campaign = None
    if str(campaign_id).isdigit() and int(campaign_id) < 2**63:
        campaign = campaigns_visible(actor=actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("not_found", "自查自纠不存在或不在您的管辖范围内")
    return campaign
