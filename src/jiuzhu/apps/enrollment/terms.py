"""Dated policy values the enrollment lifecycle needs, read from the region's rules policy:
recheck intervals by class (R-DM-02), the recheck limit after a death (R-DM-05) and graduation
periods by reason (R-DM-04). A policy without a value falls back to the national bound."""

from __future__ import annotations

from datetime import date

from jiuzhu.apps.cases.config import region_config
from jiuzhu.rules.errors import DomainError, ValidationFailed
from jiuzhu.rules.graduation import (
    graduation_period,
    graduation_terms_for,
    national_bounds,
)
from jiuzhu.rules.params import load_policy
from jiuzhu.rules.workflow.enrollment import recheck_interval

NATIONAL_RECHECK = {"stable": "bound.recheck_months.stable", "unstable": "bound.recheck_months.unstable"}


def _value(policy_name: str, key: str, bound_key: str, as_of: date) -> int:
    """The policy's value, never above the national bound; the bound when the policy has none."""
    bound = int(national_bounds().lookup(bound_key, as_of))
    try:
        return min(int(load_policy(policy_name).lookup(key, as_of)), bound)
    except DomainError:  # not in this policy, or not yet in force: the national rule applies
        return bound


def recheck_months(program: str, klass: str, region_code: str, as_of: date) -> int:
    """R-DM-02: 12 months for stable households (A, B), 6 for unstable (C, D); tekun yearly."""
    policy = region_config(region_code).policy
    stable = _value(policy, "dibao.recheck_months.stable", NATIONAL_RECHECK["stable"], as_of)
    unstable = _value(policy, "dibao.recheck_months.unstable", NATIONAL_RECHECK["unstable"], as_of)
    return recheck_interval(program, klass, stable, unstable)


def death_recheck_months(region_code: str, as_of: date) -> int:
    """R-DM-05: the household is rechecked within 3 months of a member's death (or the region's shorter limit)."""
    policy = region_config(region_code).policy
    return _value(policy, "dibao.death_recheck_months", "bound.death_recheck_months", as_of)


def graduation_months(region_code: str, reason: str, as_of: date) -> tuple[int, str]:
    """(months, legal basis) of the region's graduation period for ``reason`` (R-DM-04)."""
    policy = load_policy(region_config(region_code).policy)
    try:
        months, basis, _flagged = graduation_period(reason, graduation_terms_for(policy, as_of))
    except ValidationFailed as exc:
        raise ValidationFailed("enrollment.graduation_reason", exc.message.replace("graduation.reason", "渐退原因"),
                               field="graduation_reason") from None
    return months, basis
