"""Drive a case through the workflow in tests: one helper per step, payloads a caseworker would enter."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jiuzhu.apps.cases.services import case_act, case_submit

TZ = ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


# Past events (survey, meeting, visit, appraisal) given as constants are dated on or before the earliest
# day a test acts (2026-06-10): a date after the action's day is refused (issue 12 §3.7). The helpers
# below date the survey on the day they record it.
EVENT_DAY = "2026-06-01"
INTAKE = {"id_checked": True, "authorization_signed": True, "economic_form_signed": True}
SURVEY = {"date": EVENT_DAY, "investigators": ["王经办", "陈协理"], "living_conditions": "砖混住房两间，家电简陋",
          "findings": "家庭收入主要靠务农，情况属实"}
MEETING = {"meeting_date": EVENT_DAY, "members_present": ["周组长", "吴委员", "郑委员"],
           "opinion": "经审核，符合最低生活保障条件"}


TEKUN_SURVEY = {**SURVEY, "adl_failed": 1, "obligors_able": False, "obligor_notes": "无法定义务人"}
TEKUN_MEETING = {**MEETING, "opinion": "经审核，符合特困人员救助供养条件", "support_mode": "dispersed"}
REJECT = {"meeting_date": EVENT_DAY, "members_present": ["周组长", "吴委员", "郑委员"],
          "reasons": ["家庭人均收入高于当地低保标准"]}
HOME_VISIT = {"date": EVENT_DAY, "visitors": ["赵县民政", "钱科员"], "findings": "入户核实，情况属实"}
APPRAISAL = {"date": EVENT_DAY, "participants": 9, "representatives": 7, "votes_for": 8, "votes_against": 1,
             "outcome": "eligible", "minutes": "经民主评议，多数认为符合条件"}


def workflow_setting(region, *, level="township", verify_first=True, **kw):
    """The region's workflow settings, set the way an administrator does (one row per region)."""
    from jiuzhu.apps.cases.models import WorkflowSetting

    row, _ = WorkflowSetting.objects.update_or_create(
        region_id=region, defaults={"confirmation_level": level, "verify_before_accept": verify_first, **kw})
    return row


def submit(actor, household, *, program="dibao", day, channel=None, **intake):
    applicant = household.head_id
    channel = channel or ("village" if actor.role == "village_assistant" else "window")
    return case_submit(actor=actor, program=program, household_id=household.pk, applicant_id=applicant,
                       channel=channel, payload={**INTAKE, **intake}, now=at(day))


def act(actor, case, action, day, payload=None, **kw):
    return case_act(actor=actor, case_id=case.pk, action=action, payload=payload or {}, now=at(day), **kw)


def verification(items=(), conclusion="consistent"):
    return {"items": list(items), "conclusion": conclusion, "note": "与申报一致"}


def to_surveyed(people, household, day, *, program="dibao", survey=None, **intake):
    """submit → … → surveyed, one step per day starting at ``day``. Returns (case, last day)."""
    caseworker, county = people["caseworker"], people["county"]
    case = submit(caseworker, household, program=program, day=day, **intake)
    d = day
    for actor, action, payload in [
        (caseworker, "request_verification", {}),
        (county, "record_verification", verification()),
        (caseworker, "accept", {}),
        (caseworker, "record_survey", survey),
    ]:
        d = d + timedelta(days=1)
        if action == "record_survey" and payload is None:  # surveyed the day it is recorded
            payload = {**(TEKUN_SURVEY if program == "tekun" else SURVEY), "date": d.isoformat()}
        case = act(actor, case, action, d, payload)
    return case, d


def to_reviewed(people, household, day, *, review=None, **kw):
    """… → reviewed (the initial review the day after the survey). Returns (case, last day)."""
    case, d = to_surveyed(people, household, day, **kw)
    d = d + timedelta(days=1)
    return act(people["caseworker"], case, "initial_review", d, review or {"opinion": "grant"}), d


def to_confirmation(people, household, day, **kw):
    case, d = to_reviewed(people, household, day, **kw)
    case = act(people["caseworker"], case, "publish_notice", d)
    d = d + timedelta(days=8)
    case = act(people["caseworker"], case, "close_notice", d)
    return case, d
