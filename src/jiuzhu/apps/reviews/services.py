"""Annual review (社会救助年审) and due rechecks: open recheck cases for many enrollments at once.

``review_start`` follows the seed plan 社会救助年审工作方案: every enrollment (在保对象) of the region
gets a recheck (入户调查 + 重新发起核对 → 年审意见), judged under the standards in force when the
opinion is given (the dated policy values; the campaign notes the ones in force at its start).
Generation is columnar: an Arrow snapshot of the tables, Ibis/DuckDB (batch/review.py), bulk
inserts (COPY on PostgreSQL). Idempotent: enrollments already covered are skipped.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import pyarrow.compute as pc
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.models import Case, CaseDeadline, CaseEvent
from jiuzhu.apps.enrollment.standard import region_policy
from jiuzhu.apps.regions.codes import is_valid_code, level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.batch import review as batch
from jiuzhu.rules.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from jiuzhu.rules.params import load_policy

from . import bulk
from .models import ReviewCampaign

PLAN_END = (5, 30)  # seed plan: 实施阶段 4月11日至5月30日
MIN_DAYS, DEFAULT_DAYS = 30, 50  # a late start still leaves the plan's ~50 days for the rechecks


def _check_region(actor, region_code: str) -> Region:
    if not is_valid_code(str(region_code or "")):
        raise ValidationFailed("review.region", "区划代码应为 12 位数字", field="region")
    region = Region.objects.filter(code=region_code).first()
    if region is None or not in_scope(actor, region.code):
        raise NotFound("not_found", "区划不存在或不在您的管辖范围内", field="region")
    if level_of(region.code) > 4:
        raise ValidationFailed("review.region_level", "年审区划应为县（市、区）或乡镇（街道）", field="region")
    return region


def _check_year(year, today: date) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed("review.year", "年度应为四位数字，如 2027", field="year") from None
    if not 2000 <= year <= today.year + 1:
        raise ValidationFailed("review.year", f"年度应在 2000 至 {today.year + 1} 之间", field="year")
    return year


def default_due(year: int, today: date) -> date:
    """The seed plan's end of the implementation stage (May 30), or 50 days on when that is too close."""
    end = date(year, *PLAN_END)
    return end if end >= today + timedelta(days=MIN_DAYS) else today + timedelta(days=DEFAULT_DAYS)


def policy_note(policy: str, today: date, region_code: str | None = None) -> str:
    """The standards in force at the start (R-DB-02), with the region's applied standard changes
    (R-STD-01): later dated values apply when each opinion is given."""
    parts = []
    p = region_policy(region_code) if region_code else load_policy(policy)
    for key, label in (("dibao.standard.urban", "城市低保标准"), ("dibao.standard.rural", "农村低保标准"),
                       ("tekun.basic_standard.urban", "城市特困基本生活标准"),
                       ("tekun.basic_standard.rural", "农村特困基本生活标准")):
        try:
            entry = p.entry(key, today)
        except DomainError:
            continue
        parts.append(f"{label} {entry.value} 元/月（自 {entry.start.isoformat()} 起）")
    return f"政策 {policy}：" + ("；".join(parts) or "未找到标准参数")


def _constants(actor, now: datetime, *, reason: str, campaign=None, due=None, due_before=None,
               rule_id="R-DM-02") -> batch.Constants:
    return batch.Constants(today=timezone.localtime(now).date(), at=bulk.db_time(now), actor_id=actor.pk,
                           actor_name=actor.username, role=actor.role, reason=reason,
                           calendar_version=config.calendar_version(), campaign_id=campaign.pk if campaign else None,
                           due=due, due_before=due_before, rule_id=rule_id)


def _generate(region_code: str, constants: batch.Constants, progress=None, *, write: bool = True):
    """Plan and (``write``) insert the rechecks: returns (planned Arrow table, case ids)."""
    report = progress or (lambda phase, done, total: None)
    report("snapshot", 0, 1)
    snapshot = bulk.live_enrollments(region_code)
    covered = bulk.covered_enrollments(region_code, constants.campaign_id)
    villages = pc.unique(snapshot.column("region_id")).to_pylist()
    settings = bulk.village_settings(villages)
    report("snapshot", 1, 1)
    planned = batch.plan(snapshot, covered, settings, constants)
    if not write or planned.num_rows == 0:
        return planned, []
    ids = bulk.reserve_case_ids(planned.num_rows)
    cases, deadlines, events = batch.rows(planned, ids, constants)
    total, done = 3 * planned.num_rows, 0
    for model, table in ((Case, cases), (CaseDeadline, deadlines), (CaseEvent, events)):
        def step(n):
            nonlocal done
            done += n
            report("write", done, total)
        bulk.write(model, table, step)
    return planned, ids


def _digest(ids: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def review_start_check(*, actor, region_code: str, year, now: datetime, due: date | None = None):
    """The cheap checks of ``review_start`` (role, region, year, due): a web page runs them before it
    queues the start as a background job. Returns (region, year)."""
    if not can(actor, "review.start"):
        raise Forbidden("review.role", "只有县民政可以启动年审")
    today = timezone.localtime(now).date()
    region = _check_region(actor, region_code)
    year = _check_year(year, today)
    if due is not None and due < today:
        raise ValidationFailed("review.due", "复核办结期限不能早于今天", field="due")
    return region, year


def review_start(*, actor, region_code: str, year, now: datetime, due: date | None = None,
                 progress=None) -> tuple[ReviewCampaign, int]:
    """Start (or resume) the region's annual review for ``year``: (campaign, recheck cases created).
    Starting again creates nothing for enrollments that already have their recheck."""
    region, year = review_start_check(actor=actor, region_code=region_code, year=year, now=now, due=due)
    today = timezone.localtime(now).date()
    policy = config.region_config(region.code).policy
    with transaction.atomic():
        campaign = ReviewCampaign.objects.select_for_update().filter(region=region, year=year).first()
        if campaign is None:
            try:
                with transaction.atomic():
                    campaign = ReviewCampaign.objects.create(
                        region=region, year=year, due=due or default_due(year, today), policy=policy,
                        policy_note=policy_note(policy, today, region.code), created_by=actor, started_at=now)
            except IntegrityError:  # started at the same moment by someone else
                raise Conflict("review.starting", "该年度年审正在由他人启动，请稍后刷新", field="year") from None
        elif campaign.status == ReviewCampaign.Status.CLOSED:
            raise Conflict("review.closed", f"{year} 年度年审已结束", field="year")
        else:  # takes the write lock on SQLite before ids are reserved
            ReviewCampaign.objects.filter(pk=campaign.pk).update(updated_at=now)
        low, high = subtree_range(region.code)
        attached = Case.objects.filter(kind=Case.Kind.RECHECK, is_open=True, campaign__isnull=True,
                                       region_id__gte=low, region_id__lte=high).update(campaign=campaign)
        constants = _constants(actor, now, reason=f"{year} 年度社会救助年审", campaign=campaign, due=campaign.due)
        _planned, ids = _generate(region.code, constants, progress)
        if ids or attached:
            campaign.cases_created += len(ids) + attached
            campaign.save(update_fields=["cases_created", "updated_at"])
        audit_record(actor=actor, action="review.start", subject_type="review_campaign", subject_id=campaign.pk,
                     region_code=region.code, after={"cases_created": campaign.cases_created},
                     reason=f"{year} 年度年审", at=now,
                     details={"created": len(ids), "attached": attached, "first_case": ids[0] if ids else None,
                              "last_case": ids[-1] if ids else None, "cases_digest": _digest(ids),
                              "due": campaign.due.isoformat(), "policy": campaign.policy})
    return campaign, len(ids)


def review_due(*, actor, region_code: str, now: datetime, within_days: int = 30, create: bool = False,
               progress=None) -> dict:
    """Live enrollments whose recheck date is within ``within_days`` (or passed) and have no recheck
    yet; with ``create`` their recheck cases are opened, each due on its recheck date (today if passed)."""
    if not can(actor, "review.schedule"):
        raise Forbidden("review.role", "您的角色不能安排复核")
    if not 0 <= int(within_days) <= 366:
        raise ValidationFailed("review.within", "提前天数应在 0 至 366 之间", field="within")
    today = timezone.localtime(now).date()
    region = _check_region(actor, region_code)
    constants = _constants(actor, now, reason="定期复核（到期）", due_before=today + timedelta(days=int(within_days)))
    with transaction.atomic():
        planned, ids = _generate(region.code, constants, progress, write=create)
        if ids:
            audit_record(actor=actor, action="recheck.schedule_due", subject_type="region", subject_id=region.code,
                         region_code=region.code, reason="定期复核（到期）", at=now,
                         details={"created": len(ids), "cases_digest": _digest(ids),
                                  "first_case": ids[0], "last_case": ids[-1]})
    overdue = int(pc.sum(pc.less(planned.column("next_recheck"), today)).as_py() or 0) if planned.num_rows else 0
    return {"region": region.code, "date": today.isoformat(), "within_days": int(within_days),
            "due": planned.num_rows, "overdue": overdue, "created": len(ids),
            "rows": planned.slice(0, 50).select(["enrollment_id", "region_id", "next_recheck", "due"]).to_pylist()}


def review_close(*, actor, campaign_id, now: datetime) -> ReviewCampaign:
    """End the campaign (its open rechecks stay open and are finished as ordinary rechecks)."""
    if not can(actor, "review.start"):
        raise Forbidden("review.role", "只有县民政可以结束年审")
    with transaction.atomic():
        campaign = ReviewCampaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or not in_scope(actor, campaign.region_id):
            raise NotFound("not_found", "年审不存在或不在您的管辖范围内")
        if campaign.status == ReviewCampaign.Status.CLOSED:
            raise Conflict("review.closed", "年审已结束")
        campaign.status = ReviewCampaign.Status.CLOSED
        campaign.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="review.close", subject_type="review_campaign", subject_id=campaign.pk,
                     region_code=campaign.region_id, reason="结束年审", at=now)
    return campaign
