"""The shapes of the workflow tables (workflow.md, national-rules §7, §10)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Roles as stored on the user (values of jiuzhu.apps.accounts.roles.Role).
VILLAGE = "village_assistant"
CASEWORKER = "township_caseworker"
REVIEWER = "township_reviewer"
COUNTY = "county_staff"


@dataclass(frozen=True)
class DeadlineRule:
    """A deadline an action creates: ``amount`` working days ("wd") or calendar days ("days")
    counted from the day after the action. ``supervised`` deadlines make the case overdue (逾期)
    when they pass unmet; a notice period is a deadline that is not supervised."""

    step: str
    amount: int
    unit: str = "wd"
    rule_id: str = ""
    supervised: bool = True


@dataclass(frozen=True)
class Transition:
    """(program, state, action) → next state, who may act, what it creates and completes.

    ``to_state`` None keeps the state (``extend``). ``meets`` lists the deadline steps the
    action completes; ``guards`` name checks the service runs (see apps/cases/guards.py; those that
    read enrollments are in apps/programs/guards.py).
    """

    action: str
    from_states: frozenset[str]
    to_state: str | None
    roles: frozenset[str]
    creates: tuple[DeadlineRule, ...] = ()
    meets: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    starts_overall: bool = False


@dataclass(frozen=True)
class WorkflowSettings:
    """A region's workflow settings (workflow.md "Region settings that change the path")."""

    confirmation_level: str = "township"  # township (delegated, seed) | county (national default)
    verify_before_accept: bool = True  # 先核对后申请 (seed)
    overall_limit_wd: int = 20
    overall_limit_extended_wd: int = 30
    step_limits: dict = field(default_factory=dict, hash=False, compare=False)
    # 年审 plan 三(2)二–五 (issue 20 §2–4), each optional per region:
    application_notice: bool = False  # 申请情况公示 in the village from the day after acceptance
    survey_resident_cadre: bool = False  # 入户调查由至少2人(其中1人须为驻村干部)
    hearing: bool = False  # 民主听证 when 核对 warns or the application notice draws an objection

    def limit(self, step: str, default: int) -> int:
        return int(self.step_limits.get(step, default))
