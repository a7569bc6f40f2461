"""The recheck (复核) transition table: a recheck of an enrollment runs on the case machinery.

Sources: national-rules §8 — R-DM-02 (periodic recheck, township checks and reports for 增发/减发/停发),
R-DM-03 (the deciding level decides on lawful grounds and notifies in writing), R-DM-04 (渐退),
R-DM-05 (after a death, within 3 months); the seed plan 社会救助年审工作方案 (入户调查 + 重新发起核对 →
年审意见 新增/调整/取消). The decision is taken by the level that confirms applications in the region
(township review-confirmation group when delegated, county otherwise).

A recheck has one supervised deadline, ``recheck`` (复核办结期限): the enrollment's recheck date, or
the death date + 3 months. It is written when the recheck is scheduled, so no row here creates
deadlines; ``decide`` meets it.
"""

from __future__ import annotations

from functools import lru_cache

from .model import CASEWORKER, COUNTY, REVIEWER, VILLAGE, Transition

RECHECK_EXTENSION_DAYS = 30  # one extension, e.g. during a major emergency (R-DM-02 last sentence)


def _t(action, frm, to, roles, meets=(), guards=()):
    frm = frozenset([frm] if isinstance(frm, str) else frm)
    return Transition(action, frm, to, frozenset(roles), (), tuple(meets), tuple(guards), False)


@lru_cache(maxsize=8)
def recheck_table(program: str, confirmation_level: str) -> tuple[Transition, ...]:
    deciders = {COUNTY} if confirmation_level == "county" else {REVIEWER}
    rows = [
        _t("request_verification", "scheduled", "verifying", {CASEWORKER}),
        _t("record_verification", "verifying", "verified", {COUNTY}),
        _t("record_survey", "verified", "surveyed", {CASEWORKER, VILLAGE}),
        # The township's recheck opinion: the rules engine proposes, the caseworker may differ with a reason.
        _t("recheck_review", "surveyed", "proposed", {CASEWORKER}, guards=("verification_done", "survey_done")),
        _t("decide", "proposed", "rechecked", deciders, meets=("recheck", "*"), guards=("enrollment_live",)),
    ]
    open_states = {"scheduled"} | {r.to_state for r in rows if r.to_state != "rechecked"}
    rows += [
        _t("cancel", open_states, "cancelled", {CASEWORKER}, meets=("*",)),
        _t("extend", open_states, None, {CASEWORKER}, guards=("not_extended",)),
    ]
    return tuple(rows)
