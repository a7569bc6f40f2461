"""The optional steps of the 社会救助年审 plan 三(2) (issue 20 §2–4), added to a region's table when its
``WorkflowSettings`` turn them on (the demo county turns all three on):

- 申请情况公示 (二): "自受理申请的次日起在申请人所在的村(居)委员会公示申请情况，公示期不少于5个工作日" —
  objections to it are recorded on the case while it runs; confirmation waits for it to end.
- 入户调查 (三): "由至少2人(其中1人须为驻村干部)" — a guard on ``record_survey``.
- 民主听证 (五): "对公示有异议或核对有预警人员，应组织开展民主听证" — ``hold_hearing`` before the initial
  review; the review (and the confirmation) are refused while a required hearing is missing.
"""

from __future__ import annotations

from .model import CASEWORKER, Transition, WorkflowSettings

# Before the initial review (and after it, for an objection that arrives late: confirmation then waits).
HEARING_STATES = frozenset({"accepted", "surveyed", "reviewed", "in_notice", "disputed"})
APPLICATION_OBJECTION_STATES = HEARING_STATES


def optional_rows(s: WorkflowSettings) -> list[Transition]:
    rows = []
    if s.application_notice:
        rows.append(Transition("record_application_objection", APPLICATION_OBJECTION_STATES, None,
                               frozenset({CASEWORKER}), guards=("application_notice_running",)))
    if s.hearing:
        rows.append(Transition("hold_hearing", HEARING_STATES, None, frozenset({CASEWORKER}),
                               guards=("hearing_required",)))
    return rows


def optional_guards(s: WorkflowSettings, action: str) -> tuple[str, ...]:
    """Guards the optional steps add to an existing row of the table."""
    guards: tuple[str, ...] = ()
    if action == "record_survey" and s.survey_resident_cadre:
        guards += ("survey_investigators",)
    if action == "initial_review" and s.hearing:  # heard before the initial review
        guards += ("hearing_held",)
    if action == "confirm":
        guards += ("application_notice_over",) * s.application_notice + ("hearing_held",) * s.hearing
    return guards
