"""The recheck (复核) transition table: a recheck of an enrollment runs on the case machinery.

Sources: national-rules §8 — R-DM-02 (periodic recheck, township checks and reports for 增发/减发/停发),
R-DM-03 (the deciding level decides on lawful grounds and notifies in writing), R-DM-04 (渐退),
R-DM-05 (after a death, within 3 months); the seed plan 社会救助年审工作方案 (入户调查 + 重新发起核对 →
年审意见 新增/调整/取消). The decision is taken by the level that confirms applications in the region
(township review-confirmation group when delegated, county otherwise).

A recheck has one supervised deadline, ``recheck`` (复核办结期限): the enrollment's recheck date, or
the death date + 3 months. It is written when the recheck is scheduled; ``decide`` meets it.

特困 termination (R-TK-16): a tekun recheck whose opinion is ``stop`` is publicized for 7 days
(拟终止特困供养公示, the same notice period as an application's, WF-7) before ``decide`` may stop it.
An objection recorded during the notice must be investigated and decided within 15 wd
(``objection_handling``); the re-investigation sends the case back to a fresh opinion and, if it is
still ``stop``, a fresh notice.
"""

from __future__ import annotations

from functools import lru_cache

from .model import CASEWORKER, COUNTY, REVIEWER, VILLAGE, DeadlineRule, Transition

RECHECK_EXTENSION_DAYS = 30  # one extension, e.g. during a major emergency (R-DM-02 last sentence)
TERMINATION_NOTICE_DAYS = 7  # R-TK-16: 7 days in the village or institution (calendar days, as WF-7)
OBJECTION_HANDLING_WD = 15  # R-TK-16: an objection is investigated and decided within 15 working days


def _t(action, frm, to, roles, meets=(), guards=(), creates=()):
    frm = frozenset([frm] if isinstance(frm, str) else frm)
    return Transition(action, frm, to, frozenset(roles), tuple(creates), tuple(meets), tuple(guards), False)


def _termination_rows(deciders) -> list[Transition]:
    """R-TK-16 rows of a tekun recheck (the notice, objections, re-investigation)."""
    notice = DeadlineRule("notice_period", TERMINATION_NOTICE_DAYS, "days", "R-TK-16", supervised=False)
    handling = DeadlineRule("objection_handling", OBJECTION_HANDLING_WD, "wd", "R-TK-16")
    publishers = {CASEWORKER} | ({COUNTY} if COUNTY in deciders else set())  # R-TK-16: the county publicizes
    return [
        _t("start_termination_notice", "proposed", "termination_notice", publishers,
           guards=("opinion_stop", "enrollment_live"), creates=(notice,)),
        _t("record_objection", "termination_notice", "termination_disputed", {CASEWORKER},
           meets=("notice_period",), guards=("notice_running",), creates=(handling,)),
        # The investigation decides the objection; a fresh opinion (and, for a stop, a fresh notice) follows.
        _t("reinvestigate", "termination_disputed", "surveyed", {CASEWORKER, VILLAGE}, meets=("objection_handling",)),
    ]


def termination_referral(ground: str, dibao_result: dict | None) -> dict:
    """The referral a 特困 termination suggests (R-TK-16, S3 art.27): to dibao when the person's own
    facts evaluated under dibao are eligible, to temporary assistance when they are a low-income
    edge case (收入高于低保标准但在边缘线内); none after a death or without an evaluation."""
    status = (dibao_result or {}).get("status", "")
    if ground == "deceased" or not status:
        return {"suggested": False, "route": "", "basis": "对象已死亡，无需转介" if ground == "deceased"
                else "未能测算，无转介建议"}
    if status == "dibao":
        return {"suggested": True, "route": "dibao", "estimated_amount": dibao_result.get("monthly_amount", ""),
                "basis": "按低保条件测算符合，建议转介申请最低生活保障"}
    if status == "edge":
        return {"suggested": True, "route": "temporary",
                "basis": "人均收入高于低保标准但在低保边缘线内，建议评估临时救助"}
    return {"suggested": False, "route": "", "basis": "按低保条件测算不符合，无转介建议"}


@lru_cache(maxsize=8)
def recheck_table(program: str, confirmation_level: str) -> tuple[Transition, ...]:
    deciders = {COUNTY} if confirmation_level == "county" else {REVIEWER}
    rows = [
        _t("request_verification", "scheduled", "verifying", {CASEWORKER}),
        _t("record_verification", "verifying", "verified", {COUNTY}, guards=("verification_within_tolerance",)),
        _t("record_survey", "verified", "surveyed", {CASEWORKER, VILLAGE}),
        # The township's recheck opinion: the rules engine proposes, the caseworker may differ with a reason.
        _t("recheck_review", "surveyed", "proposed", {CASEWORKER}, guards=("verification_done", "survey_done")),
    ]
    if program == "tekun":
        # A stop is decided after the 7-day notice ran with no objection (guard termination_notice_over).
        rows += _termination_rows(deciders)
        rows.append(_t("decide", ("proposed", "termination_notice"), "rechecked", deciders,
                       meets=("recheck", "notice_period", "*"), guards=("enrollment_live", "termination_notice_over")))
    else:
        rows.append(_t("decide", "proposed", "rechecked", deciders, meets=("recheck", "*"), guards=("enrollment_live",)))
    open_states = {"scheduled"} | {r.to_state for r in rows if r.to_state and r.to_state != "rechecked"}
    rows += [
        _t("cancel", open_states, "cancelled", {CASEWORKER}, meets=("*",)),
        _t("extend", open_states, None, {CASEWORKER}, guards=("not_extended",)),
    ]
    return tuple(rows)
