"""摸底排查 (seed 特困人员监护照护 二(一), issue 16 §2): a township (or county) campaign with a line in
the 摸底台账 for every enrolled tekun person — the visit (date, who), civil capacity and its cause,
living situation, care wishes (集中 / 分散, institution kind) and the current caregiver.

Like the annual review (apps/reviews): one campaign per region and year, the lines generated at
once and set-based (one ``INSERT … SELECT``, idempotent: starting again adds only persons enrolled
since), progress read by village. Audited, in scope, nothing changed on bad input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.regions.codes import is_valid_code, level_of, subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.core.validation import validate
from jiuzhu.rules.care import check_survey
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .inputs import SurveyItemInput
from .models import SurveyCampaign, SurveyItem
from .services import require

DEFAULT_DAYS = 31  # seed 二(一): the survey is the month of May


def _region(actor, region_code) -> Region:
    if not is_valid_code(str(region_code or "")):
        raise ValidationFailed("care.region", "区划代码应为 12 位数字", field="region")
    region = Region.objects.filter(code=region_code).first()
    if region is None or not in_scope(actor, region.code):
        raise NotFound("not_found", "区划不存在或不在您的管辖范围内", field="region")
    if level_of(region.code) not in (3, 4):
        raise ValidationFailed("care.region_level", "摸底排查区划应为县（市、区）或乡镇（街道）", field="region")
    return region


def _year(year, today: date) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed("care.year", "年度应为四位数字，如 2026", field="year") from None
    if not 2000 <= year <= today.year + 1:
        raise ValidationFailed("care.year", f"年度应在 2000 至 {today.year + 1} 之间", field="year")
    return year


def _generate(campaign: SurveyCampaign) -> int:
    """A pending line for every live tekun person of the region not yet in the campaign: one statement."""
    item, e = SurveyItem._meta.db_table, Enrollment._meta.db_table
    q = connection.ops.quote_name
    low, high = subtree_range(campaign.region_id)
    live = tuple(Enrollment.LIVE)
    sql = (f"INSERT INTO {q(item)} "  # noqa: S608 - quoted table names; every value is bound
           "(campaign_id, enrollment_id, person_id, region_id, done, visitor_name, capacity, capacity_cause, "
           f"living, care_wish, institution_kind, caregiver, caregiver_phone, notes) "
           f"SELECT %s, e.id, e.person_id, e.region_id, %s, '', '', '', '', '', '', '', '', '' FROM {q(e)} e "
           f"WHERE e.program = %s AND e.person_id IS NOT NULL AND e.status IN ({', '.join(['%s'] * len(live))}) "
           f"AND e.region_id BETWEEN %s AND %s AND NOT EXISTS (SELECT 1 FROM {q(item)} s "
           f"WHERE s.campaign_id = %s AND s.enrollment_id = e.id)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, False, "tekun", *live, low, high, campaign.pk])
        return max(cursor.rowcount, 0)


def survey_start(*, actor, region_code, year, now: datetime, due: date | None = None) -> tuple[SurveyCampaign, int]:
    """Start (or resume) the region's 摸底排查 for ``year``: (campaign, lines added)."""
    require(actor, "care.capacity", "启动摸底排查（须由乡镇经办人或县民政办理）")
    today = timezone.localtime(now).date()
    region = _region(actor, region_code)
    year = _year(year, today)
    if due is not None and due < today:
        raise ValidationFailed("care.due", "完成期限不能早于今天", field="due")
    with transaction.atomic():
        campaign = SurveyCampaign.objects.select_for_update().filter(region=region, year=year).first()
        if campaign is None:
            try:
                with transaction.atomic():
                    campaign = SurveyCampaign.objects.create(
                        region=region, year=year, due=due or today + timedelta(days=DEFAULT_DAYS), created_by=actor,
                        started_at=now)
            except IntegrityError:
                raise Conflict("care.survey_starting", "该年度摸底排查正在由他人启动，请稍后刷新", field="year") from None
        elif campaign.status == SurveyCampaign.Status.CLOSED:
            raise Conflict("care.survey_closed", f"{year} 年度摸底排查已结束", field="year")
        added = _generate(campaign)
        campaign.items_created += added
        campaign.save(update_fields=["items_created", "updated_at"])
        audit_record(actor=actor, action="care.survey_start", subject_type="care_survey", subject_id=campaign.pk,
                     region_code=region.code, after={"items": campaign.items_created}, reason=f"{year} 年度摸底排查",
                     details={"added": added, "due": campaign.due.isoformat()}, at=now)
    return campaign, added


def _snap(item: SurveyItem) -> dict:
    return {"done": item.done, "visited_on": item.visited_on.isoformat() if item.visited_on else None,
            "visitor": item.visitor_name, "capacity": item.capacity, "cause": item.capacity_cause,
            "living": item.living, "care_wish": item.care_wish, "institution_kind": item.institution_kind,
            "caregiver": item.caregiver}


def item_get(actor, campaign_id, enrollment_id, *, lock: bool = False) -> SurveyItem:
    """A person's line in the campaign, in the actor's scope (else not found: existence does not leak)."""
    item = None
    if all(str(v).isdigit() and int(v) < 2**63 for v in (campaign_id, enrollment_id)):
        qs = SurveyItem.objects.select_for_update() if lock else SurveyItem.objects
        item = (qs.select_related("campaign", "person").filter(campaign_id=campaign_id, enrollment_id=enrollment_id)
                .first())
    if item is None or not in_scope(actor, item.region_id):
        raise NotFound("not_found", "该人员不在本次摸底排查名单中，或不在您的管辖范围内", field="enrollment")
    return item


def may_record(actor) -> bool:
    """The village assistant, or the township / county staff who run the survey and visit themselves."""
    return can(actor, "care.visit") or can(actor, "care.capacity")


def survey_record(*, actor, campaign_id, enrollment_id, data, now: datetime) -> SurveyItem:
    """Record (or correct) a person's line after the visit."""
    if not may_record(actor):
        raise Forbidden("care.role", "您的角色不能登记摸底排查情况（须由村(居)协理员、乡镇经办人或县民政办理）")
    cleaned = cast(SurveyItemInput, validate(SurveyItemInput, data))
    today = timezone.localtime(now).date()
    if cleaned.visited_on > today:
        raise ValidationFailed("care.visited_on", f"走访日期 {cleaned.visited_on.isoformat()} 晚于今天，不能登记",
                               field="visited_on")
    check_survey(capacity=cleaned.capacity, capacity_cause=cleaned.capacity_cause, care_wish=cleaned.care_wish,
                 institution_kind=cleaned.institution_kind)
    with transaction.atomic():
        item = item_get(actor, campaign_id, enrollment_id, lock=True)
        campaign = item.campaign
        if campaign.status == SurveyCampaign.Status.CLOSED:
            raise Conflict("care.survey_closed", "本次摸底排查已结束，不能再登记", field="visited_on")
        started = timezone.localtime(campaign.started_at).date()
        if cleaned.visited_on < started:
            raise ValidationFailed("care.visited_on", f"走访日期早于摸底排查启动日期（{started.isoformat()}），不能登记",
                                   field="visited_on")
        before = _snap(item)
        for name in ("visited_on", "visitor_name", "capacity", "living", "care_wish", "institution_kind",
                     "caregiver", "caregiver_phone", "notes"):
            setattr(item, name, getattr(cleaned, name))
        item.capacity_cause = cleaned.capacity_cause if cleaned.capacity != "full" else (cleaned.capacity_cause or "none")
        item.visitor = actor if getattr(actor, "pk", None) else None
        item.done, item.recorded_at = True, now
        item.save()
        audit_record(actor=actor, action="care.survey_item", subject_type="care_survey", subject_id=campaign.pk,
                     region_code=item.region_id, before=before, after=_snap(item),
                     details={"enrollment": item.enrollment_id, "item": item.pk}, at=now)
    return item


def survey_close(*, actor, campaign_id, now: datetime) -> SurveyCampaign:
    """End the campaign (the 台账 stays readable and exportable)."""
    require(actor, "care.capacity", "结束摸底排查（须由乡镇经办人或县民政办理）")
    with transaction.atomic():
        campaign = None
        if str(campaign_id).isdigit() and int(campaign_id) < 2**63:
            campaign = SurveyCampaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or not in_scope(actor, campaign.region_id):
            raise NotFound("not_found", "摸底排查不存在或不在您的管辖范围内")
        if campaign.status == SurveyCampaign.Status.CLOSED:
            raise Conflict("care.survey_closed", "本次摸底排查已结束")
        pending = campaign.items.filter(done=False).count()
        campaign.status = SurveyCampaign.Status.CLOSED
        campaign.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="care.survey_close", subject_type="care_survey", subject_id=campaign.pk,
                     region_code=campaign.region_id, reason="结束摸底排查", details={"pending": pending}, at=now)
    return campaign
