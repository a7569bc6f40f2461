"""Transition tables for dibao and tekun, chosen per region by ``WorkflowSettings``.

Sources: workflow.md (contract); seed plan 社会救助审核确认权下放乡镇工作方案; national-rules §7
(WF-1…WF-13, R-WF-14/15) and §10 (tekun, 民发〔2021〕43号). Step limits are the seed values;
a region may change them within the national caps (see ``NATIONAL_CAPS``).
"""

from __future__ import annotations

from functools import lru_cache

from .model import CASEWORKER, COUNTY, REVIEWER, VILLAGE, DeadlineRule, Transition, WorkflowSettings
from .optional import optional_guards, optional_rows
from .programs import ProgramSpec, program_spec, register_program
from .recheck import recheck_table
from .states import OPEN_STATES

# Seed step limits in working days, and the national caps a region may not exceed (R-WF-14).
SEED_STEP_LIMITS = {
    "request_verification": 3, "verification_report": 5, "acceptance": 3, "survey": 3,
    "initial_review": 3, "publish_notice": 1, "appraisal": 3, "confirmation": 3,
    "confirmation_county": 10, "denial_letter": 3, "county_filing": 5,
    "tekun_initial_opinion": 15, "tekun_confirmation_county": 15,
    "ta_follow_up": 10,  # 临时救助 急难型: 先行救助后补办核对、调查、公示 (issue 14; region setting)
}
NATIONAL_CAPS = {"request_verification": 3, "verification_report": 3 + 5, "survey": 3,
                 "confirmation_county": 10, "denial_letter": 3, "overall_delegated": 20,
                 "overall": 30, "overall_extended": 45}
NOTICE_DAYS = 7  # WF-7: 7-day publicity (calendar days)

def _t(action, frm, to, roles, creates=(), meets=(), guards=(), starts_overall=False):
    frm = frozenset([frm] if isinstance(frm, str) else frm)
    return Transition(action, frm, to, frozenset(roles), tuple(creates), tuple(meets), tuple(guards), starts_overall)


def _wd(step, settings: WorkflowSettings, key=None, rule_id=""):
    return DeadlineRule(step, settings.limit(key or step, SEED_STEP_LIMITS[key or step]), "wd", rule_id)


@lru_cache(maxsize=64)
def _table(program: str, settings_key: tuple) -> tuple[Transition, ...]:
    confirmation_level, verify_first, overall, extended, limits, *optional = settings_key
    s = WorkflowSettings(confirmation_level, verify_first, overall, extended, dict(limits), *optional)
    tekun = program == "tekun"
    confirmers = {COUNTY} if confirmation_level == "county" else {REVIEWER}
    if tekun:
        confirm_limit = _wd("confirmation", s, "tekun_confirmation_county", "R-TK-10") if confirmation_level == "county" \
            else _wd("confirmation", s, rule_id="R-WF-14")
    else:
        confirm_limit = _wd("confirmation", s, "confirmation_county", "WF-10") if confirmation_level == "county" \
            else _wd("confirmation", s, rule_id="R-WF-14")
    # Tekun: township investigation and initial opinion within 15 wd of acceptance (one deadline).
    after_accept = (_wd("initial_opinion", s, "tekun_initial_opinion", "R-TK-10"),) if tekun \
        else (_wd("survey", s, rule_id="WF-4"),)
    after_survey = () if tekun else (_wd("initial_review", s, rule_id="WF-6"),)
    survey_met = () if tekun else ("survey",)
    review_met = ("initial_opinion",) if tekun else ("initial_review",)
    # After an objection: a new initial opinion (dibao WF-8: the initial-review limit; tekun R-TK-10: 15 wd).
    after_objection = (_wd("initial_opinion", s, "tekun_initial_opinion", "R-TK-10"),) if tekun \
        else (DeadlineRule("initial_review", s.limit("initial_review", 3), "wd", "WF-8"),)
    delegated = confirmation_level == "township"
    rows = [
        # National path: survey and verification may run in parallel; initial review needs both.
        _t("record_survey", "accepted", "surveyed", {CASEWORKER, VILLAGE}, after_survey, survey_met,
           guards=optional_guards(s, "record_survey")),
        _t("initial_review", "surveyed", "reviewed", {CASEWORKER},
           (_wd("publish_notice", s, rule_id="WF-7"),), review_met + ("appraisal",),
           guards=("verification_done", "survey_done") + optional_guards(s, "initial_review")),
        _t("publish_notice", "reviewed", "in_notice", {CASEWORKER, VILLAGE},
           (DeadlineRule("notice_period", NOTICE_DAYS, "days", "WF-7", supervised=False),), ("publish_notice",),
           guards=("opinion_grant",)),
        # Only households proposed for assistance are publicized (seed 附件6); a proposed denial goes
        # straight to the confirming level.
        _t("forward_denial", "reviewed", "awaiting_confirmation", {CASEWORKER}, (confirm_limit,),
           ("publish_notice",), guards=("opinion_deny",)),
        _t("record_objection", "in_notice", "disputed", {CASEWORKER},
           (_wd("appraisal", s, rule_id="WF-8"),), ("notice_period",)),
        _t("hold_appraisal", "disputed", "surveyed", {CASEWORKER}, after_objection, ("appraisal",)),
        _t("reinvestigate", "disputed", "surveyed", {CASEWORKER, VILLAGE}, after_objection, ("appraisal",)),
        _t("close_notice", "in_notice", "awaiting_confirmation", {CASEWORKER},
           (confirm_limit,), ("notice_period",), guards=("notice_period_over", "no_open_objection")),
        # A delegated (township) confirmation is filed with the county afterwards (seed plan).
        _t("confirm", "awaiting_confirmation", "approved", confirmers,
           (_wd("county_filing", s, rule_id="WF-9"),) if delegated else (), ("confirmation", "overall"),
           guards=("proposed_grant", "steps_complete", "no_active_enrollment", "no_member_in_open_case",
                   "relative_home_visit", "spot_check_done") + optional_guards(s, "confirm")),
        _t("reject", "awaiting_confirmation", "rejected", confirmers,
           (_wd("denial_letter", s, rule_id="WF-11"),), ("confirmation", "overall")),
        # WF-11 / R-WF-16: the denial letter (reasons, route to reconsideration) is delivered via the township.
        _t("deliver_denial", "rejected", None, {CASEWORKER}, (), ("denial_letter",), guards=("denial_pending",)),
    ]
    rows += optional_rows(s)
    if delegated:
        rows.append(_t("file_record", "approved", None, {CASEWORKER}, (), ("county_filing",), guards=("not_filed",)))
    if tekun:
        rows.append(_t("record_spot_check", "awaiting_confirmation", None, {COUNTY}, (), (),
                       guards=("spot_check_sampled", "spot_check_not_done")))
    if verify_first:
        rows += [
            _t("submit", (), "submitted", {VILLAGE, CASEWORKER},
               (_wd("request_verification", s, rule_id="WF-5"),),
               guards=("household_ready", "one_open_case", "hukou_residence")),
            # 一证一书 recorded after submit (a case started without it, e.g. by the API's minimal body).
            _t("record_id_authorization", "submitted", None, {CASEWORKER, VILLAGE},
               guards=("id_authorization_incomplete",)),
            _t("request_verification", "submitted", "verifying", {CASEWORKER},
               (_wd("verification_report", s, rule_id="WF-5"),), ("request_verification",),
               guards=("authorization_on_file",), starts_overall=True),
            _t("record_verification", "verifying", "verified", {COUNTY},
               (_wd("acceptance", s, rule_id="WF-2"),), ("verification_report",),
               guards=("verification_within_tolerance",)),
            _t("notify_ineligible", "verified", "closed_ineligible", {CASEWORKER}, (), ("acceptance", "*")),
            # The applicant objects to the verification result with new evidence: verify again; the
            # case reopens, and its overall clock restarts with the new request.
            _t("object", "closed_ineligible", "verifying", {CASEWORKER},
               (_wd("verification_report", s, rule_id="WF-5"),), (), guards=("one_open_case",),
               starts_overall=True),
            _t("request_materials", "verified", "awaiting_materials", {CASEWORKER}, (), ("acceptance",)),
            _t("accept", ("verified", "awaiting_materials"), "accepted", {CASEWORKER}, after_accept,
               ("acceptance",), guards=("verification_done",)),
            # 年审 plan 三(2)一: an application not accepted gets the 不予受理告知书 (reasons); the case closes.
            _t("refuse_acceptance", ("submitted", "verified", "awaiting_materials"), "not_accepted", {CASEWORKER},
               (), ("acceptance", "*")),
        ]
    else:
        # National path: accept first (T0 = acceptance), then verification; survey may run alongside.
        rows += [
            _t("submit", (), "submitted", {VILLAGE, CASEWORKER}, (_wd("acceptance", s, rule_id="WF-2"),),
               guards=("household_ready", "one_open_case", "hukou_residence")),
            _t("request_materials", "submitted", "awaiting_materials", {CASEWORKER}, (), ("acceptance",)),
            _t("accept", ("submitted", "awaiting_materials"), "accepted", {CASEWORKER},
               after_accept + (_wd("request_verification", s, rule_id="WF-5"),), ("acceptance",),
               starts_overall=True),
            _t("record_id_authorization", ("submitted", "awaiting_materials", "accepted", "surveyed"), None,
               {CASEWORKER, VILLAGE}, guards=("verification_not_requested", "id_authorization_incomplete")),
            _t("request_verification", ("accepted", "surveyed"), None, {CASEWORKER},
               (_wd("verification_report", s, rule_id="WF-5"),), ("request_verification",),
               guards=("verification_not_requested", "authorization_on_file")),
            _t("record_verification", ("accepted", "surveyed"), None, {COUNTY}, (), ("verification_report",),
               guards=("verification_requested", "verification_not_recorded", "verification_within_tolerance")),
            _t("refuse_acceptance", ("submitted", "awaiting_materials"), "not_accepted", {CASEWORKER}, (),
               ("acceptance", "*")),
        ]
    # "Any open state" = the open states on this path (the national path has no 核对中 / 已核对).
    open_states = {r.to_state for r in rows} & OPEN_STATES
    rows += [
        _t("withdraw", open_states, "withdrawn", {CASEWORKER}, (), ("*",)),
        _t("terminate", open_states, "terminated", {CASEWORKER}, (), ("*",)),
        _t("extend", open_states, None, {CASEWORKER}, (), (), guards=("not_extended", "overall_started")),
    ]
    return tuple(rows)


def _key(settings: WorkflowSettings) -> tuple:
    return (settings.confirmation_level, settings.verify_before_accept, settings.overall_limit_wd,
            settings.overall_limit_extended_wd, tuple(sorted(settings.step_limits.items())),
            settings.application_notice, settings.survey_resident_cadre, settings.hearing)


def table_for(program: str, settings: WorkflowSettings, kind: str = "application") -> tuple[Transition, ...]:
    """The table of an application (申请) or of a recheck (复核, see recheck.py) in this region."""
    spec = program_spec(program)
    if spec is None:
        raise ValueError(f"unknown program {program!r}")
    return spec.table(settings, kind)


def _assistance_table(program: str):
    def table(settings: WorkflowSettings, kind: str) -> tuple[Transition, ...]:
        if kind == "recheck":
            return recheck_table(program, settings.confirmation_level)
        if kind != "application":
            raise ValueError(f"unknown case kind {kind!r}")
        return _table(program, _key(settings))
    return table


register_program(ProgramSpec("dibao", "最低生活保障", "DB", _assistance_table("dibao"),
                             {"application": "申请", "recheck": "复核"}, "低保"))
register_program(ProgramSpec("tekun", "特困人员救助供养", "TK", _assistance_table("tekun"),
                             {"application": "申请", "recheck": "复核"}, "特困"))


def transition(program: str, settings: WorkflowSettings, state: str | None, action: str,
               kind: str = "application") -> Transition | None:
    """The row for ``action`` from ``state`` (``None`` = no case yet), or None if there is none."""
    for row in table_for(program, settings, kind):
        if row.action == action and ((state is None and not row.from_states) or state in row.from_states):
            return row
    return None


def actions_from(program: str, settings: WorkflowSettings, state: str, kind: str = "application") -> list[Transition]:
    return [row for row in table_for(program, settings, kind) if state in row.from_states]


def check_settings(settings: WorkflowSettings) -> list[tuple[str, str]]:
    """Problems against the national bounds (R-WF-14, S7 四(一)), as (field, message_zh)."""
    problems = []
    if settings.confirmation_level not in ("township", "county"):
        problems.append(("confirmation_level", "审核确认层级只能是 township(乡镇) 或 county(县级)"))
    cap = NATIONAL_CAPS["overall_delegated"] if settings.confirmation_level == "township" else NATIONAL_CAPS["overall"]
    if not 1 <= settings.overall_limit_wd <= cap:
        problems.append(("overall_limit_wd", f"总办理时限应在 1 至 {cap} 个工作日之间"))
    if not settings.overall_limit_wd <= settings.overall_limit_extended_wd <= NATIONAL_CAPS["overall_extended"]:
        problems.append(("overall_limit_extended_wd",
                         f"延长后的办理时限应不少于总时限且不超过 {NATIONAL_CAPS['overall_extended']} 个工作日"))
    for step, value in settings.step_limits.items():
        if step not in SEED_STEP_LIMITS:
            problems.append((f"step_limits.{step}", f"未知的环节时限：{step}"))
        elif not isinstance(value, int) or value < 1 or value > NATIONAL_CAPS.get(step, 45):
            problems.append((f"step_limits.{step}", f"环节时限应为 1 至 {NATIONAL_CAPS.get(step, 45)} 的整数"))
    return problems


from . import lowincome as _lowincome  # noqa: E402,F401  (registers 低收入和支出型贫困家庭认定)
from . import temporary as _temporary  # noqa: E402,F401  (registers 临时救助)
