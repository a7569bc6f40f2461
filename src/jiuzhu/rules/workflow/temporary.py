"""临时救助 (temporary assistance) as a program of the case engine (issue 14 §1; national-rules §11).

Two case kinds, both transitions as data:

* 急难型 ``emergency`` (R-TA-02/03/04): accepted at once by the township where the emergency happened,
  whatever the hukou; 先行救助 (``ta_pay_advance``) within the township limit, then 核对, survey and 公示
  are completed afterwards (补办) within the region's ``ta_follow_up`` working days — an unfinished 补办
  is overdue (督办).
* 支出型 ``expenditure`` (R-TA-02/03): application, acceptance, 核对, survey, 公示 (unless exempt) and the
  decision, with the income test of R-TA-02 as a guard.

Approval level by amount (R-TA-03, R-TA-05): the township approves up to its limit; above it the
county approves; above the county cap 一事一议 with the meeting record. An approval may pay in stages
("一次审批、分阶段救助", R-TA-06): the case stays 发放中 until every stage is paid.
"""

from __future__ import annotations

from functools import lru_cache

from .model import CASEWORKER, COUNTY, REVIEWER, VILLAGE, DeadlineRule, Transition, WorkflowSettings
from .programs import ProgramSpec, register_program

PROGRAM = "temporary"
KINDS = {"emergency": "急难型", "expenditure": "支出型"}
FOLLOW_UP_WD = 10  # seed default of the region step limit ``ta_follow_up`` (补办 after 先行救助)
ACCEPTANCE_WD = 3
COUNTY_APPROVAL_WD = 10
TOWNSHIP = {CASEWORKER, REVIEWER}


def _t(action, frm, to, roles, creates=(), meets=(), guards=()):
    frm = frozenset([frm] if isinstance(frm, str) else frm)
    return Transition(action, frm, to, frozenset(roles), tuple(creates), tuple(meets), tuple(guards))


@lru_cache(maxsize=32)
def _rows(kind: str, follow_up_wd: int) -> tuple[Transition, ...]:
    emergency = kind == "emergency"
    work = ("accepted", "advance_paid") if emergency else ("accepted",)
    county = DeadlineRule("ta_county", COUNTY_APPROVAL_WD, "wd", "R-TA-03")
    decided = ("ta_county", "follow_up")
    if emergency:
        rows = [
            # R-TA-04: the township where the emergency happened accepts it at once; 补办 runs from today.
            _t("submit", (), "accepted", {CASEWORKER, REVIEWER, VILLAGE},
               (DeadlineRule("follow_up", follow_up_wd, "wd", "R-TA-03"),), guards=("ta_not_duplicate",)),
            _t("ta_pay_advance", "accepted", "advance_paid", TOWNSHIP, guards=("ta_within_township_limit",)),
            _t("ta_complete_follow_up", "advance_paid", "approved", TOWNSHIP, (), ("follow_up", "*"),
               guards=("ta_steps_done",)),
        ]
    else:
        rows = [
            _t("submit", (), "submitted", {VILLAGE, CASEWORKER},
               (DeadlineRule("acceptance", ACCEPTANCE_WD, "wd", "R-TA-03"),)),
            _t("ta_accept", "submitted", "accepted", {CASEWORKER}, (), ("acceptance",)),
        ]
    rows += [
        _t("ta_record_verification", work, None, {CASEWORKER, COUNTY}, guards=("ta_verification_missing",)),
        _t("ta_record_survey", work, None, {CASEWORKER, VILLAGE}, guards=("ta_survey_missing",)),
        _t("ta_publish_notice", work, None, {CASEWORKER, VILLAGE}, guards=("ta_notice_missing",)),
        # The township decides within its limit; above it the county (R-TA-03), above the cap 一事一议.
        _t("ta_approve", "accepted", "paying", {REVIEWER}, (), ("follow_up",),
           guards=("ta_steps_done", "ta_income_test", "ta_within_township_limit")),
        _t("ta_refer_county", "accepted", "county_review", TOWNSHIP, (county,), (),
           guards=("ta_steps_done", "ta_income_test")),
        _t("ta_county_approve", "county_review", "paying", {COUNTY}, (), decided, guards=("ta_within_county_cap",)),
        _t("ta_refer_council", "county_review", "council", {COUNTY}),
        _t("ta_council_approve", "council", "paying", {COUNTY}, (), decided),
        _t("ta_reject", ("accepted", "county_review", "council"), "rejected", {REVIEWER, COUNTY}, (), ("*",)),
        # 一次审批、分阶段救助 (R-TA-06): each stage paid and recorded; the case closes when all are paid.
        _t("ta_pay", "paying", None, {CASEWORKER}, guards=("ta_stage_due",)),
        _t("ta_close_payments", "paying", "approved", {CASEWORKER}, (), ("*",), guards=("ta_all_paid",)),
    ]
    open_states = ("submitted", "accepted") if not emergency else ("accepted",)
    rows += [
        _t("withdraw", open_states, "withdrawn", {CASEWORKER}, (), ("*",)),
        _t("terminate", open_states + (("advance_paid",) if emergency else ()), "terminated", {CASEWORKER},
           (), ("*",)),
    ]
    return tuple(rows)


def temporary_table(settings: WorkflowSettings, kind: str) -> tuple[Transition, ...]:
    if kind not in KINDS:
        raise ValueError(f"unknown case kind {kind!r}")
    return _rows(kind, settings.limit("ta_follow_up", FOLLOW_UP_WD))


SPEC = register_program(ProgramSpec(PROGRAM, "临时救助", "LS", temporary_table, dict(KINDS), "临时救助"))
