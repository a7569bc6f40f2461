"""低收入和支出型贫困家庭认定 (年审 plan 四(三); R-LI-02, R-LI-03, R-LI-05) on the case engine.

"认定程序按照低保认定程序执行": the seed's dibao path (先核对后受理) — submit, 核对, accept, survey,
the township's 认定意见 (the 1.5× edge line, then the province's 支出型 rules), the 7-day notice for a
proposed recognition, the decision (认定 / 不予认定). Transitions are data here; the engine's
``tables.table_for`` hands program ``lowinc`` to ``lowincome_table``. Guards named ``lowinc_*`` are
registered by ``jiuzhu.apps.lowincome``; the others are the engine's own.
"""

from __future__ import annotations

from functools import lru_cache

from .model import CASEWORKER, REVIEWER, VILLAGE, DeadlineRule, Transition, WorkflowSettings
from .programs import ProgramSpec, register_program
from .states import OPEN_STATES

LOWINC = "lowinc"
NOTICE_DAYS = 7  # WF-7, as for dibao
# R-LI-05 (S5 art.8): decided within 30 wd of acceptance.
STEP_LIMITS = {"request_verification": 3, "verification_report": 5, "acceptance": 3, "survey": 3,
               "initial_review": 3, "confirmation": 3, "denial_letter": 3}


def _t(action, frm, to, roles, creates=(), meets=(), guards=(), starts_overall=False):
    frm = frozenset([frm] if isinstance(frm, str) else frm)
    return Transition(action, frm, to, frozenset(roles), tuple(creates), tuple(meets), tuple(guards), starts_overall)


def _wd(step: str, rule_id: str) -> DeadlineRule:
    return DeadlineRule(step, STEP_LIMITS[step], "wd", rule_id)


@lru_cache(maxsize=1)
def _rows() -> tuple[Transition, ...]:
    rows = [
        _t("submit", (), "submitted", {VILLAGE, CASEWORKER}, (_wd("request_verification", "R-LI-05"),),
           guards=("household_ready", "one_open_case")),
        _t("record_id_authorization", "submitted", None, {CASEWORKER, VILLAGE}, guards=("id_authorization_incomplete",)),
        _t("request_verification", "submitted", "verifying", {CASEWORKER}, (_wd("verification_report", "R-LI-02"),),
           ("request_verification",), guards=("authorization_on_file",), starts_overall=True),
        _t("record_verification", "verifying", "verified", {"county_staff"}, (_wd("acceptance", "R-LI-05"),),
           ("verification_report",)),
        _t("accept", "verified", "accepted", {CASEWORKER}, (_wd("survey", "R-LI-05"),), ("acceptance",),
           guards=("verification_done",)),
        _t("refuse_acceptance", ("submitted", "verified"), "not_accepted", {CASEWORKER}, (), ("acceptance", "*")),
        _t("record_survey", "accepted", "surveyed", {CASEWORKER, VILLAGE}, (_wd("initial_review", "R-LI-05"),),
           ("survey",)),
        # The township's opinion: computed from the verified figures (1.5× line, 支出型 rules).
        _t("assess_lowincome", "surveyed", "reviewed", {CASEWORKER}, (), ("initial_review",),
           guards=("verification_done", "survey_done")),
        _t("publish_notice", "reviewed", "in_notice", {CASEWORKER, VILLAGE},
           (DeadlineRule("notice_period", NOTICE_DAYS, "days", "WF-7", supervised=False),), (),
           guards=("opinion_grant",)),
        _t("forward_denial", "reviewed", "awaiting_confirmation", {CASEWORKER}, (_wd("confirmation", "R-LI-05"),),
           (), guards=("opinion_deny",)),
        _t("record_objection", "in_notice", "disputed", {CASEWORKER}, (), ("notice_period",)),
        _t("reinvestigate", "disputed", "surveyed", {CASEWORKER, VILLAGE}, (_wd("initial_review", "WF-8"),)),
        _t("close_notice", "in_notice", "awaiting_confirmation", {CASEWORKER}, (_wd("confirmation", "R-LI-05"),),
           ("notice_period",), guards=("notice_period_over", "no_open_objection")),
        # R-LI-05 art.7: a written decision to recognize, or to refuse with reasons.
        _t("recognize", "awaiting_confirmation", "approved", {REVIEWER}, (), ("confirmation", "overall"),
           guards=("lowinc_recognizable",)),
        _t("reject", "awaiting_confirmation", "rejected", {REVIEWER}, (_wd("denial_letter", "R-LI-05"),),
           ("confirmation", "overall")),
        _t("deliver_denial", "rejected", None, {CASEWORKER}, (), ("denial_letter",), guards=("denial_pending",)),
    ]
    open_states = {r.to_state for r in rows} & OPEN_STATES
    rows += [_t("withdraw", open_states, "withdrawn", {CASEWORKER}, (), ("*",)),
             _t("terminate", open_states, "terminated", {CASEWORKER}, (), ("*",))]
    return tuple(rows)


def lowincome_table(settings: WorkflowSettings, kind: str = "application") -> tuple[Transition, ...]:
    """The recognition's table (the same in every region; the region's settings do not change it)."""
    if kind != "application":
        raise ValueError(f"unknown case kind {kind!r} for {LOWINC}")
    return _rows()


SPEC = register_program(ProgramSpec(LOWINC, "低收入和支出型贫困家庭认定", "DS", lowincome_table, {"application": "申请"},
                                    "低收入认定"))
