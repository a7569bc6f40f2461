"""Checks of a new dated standard (物价联动 / 标准调整, R-STD-01, R-DB-02, R-TK-13) before it is used.

``standard_violations`` lists what refuses the new standard: the 特困 basic living standard in
force would fall below the national minimum multiple of the dibao standard (R-TK-13; bound in
params/bounds/national.yaml). ``standard_warnings`` lists what is allowed but must be looked at: a
standard lower than the one before (R-STD-01 expects adjustment with development and prices), and
the general §20 warnings of :func:`jiuzhu.rules.policy_checks.national_bound_warnings`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .graduation import national_bounds
from .model import AREA_TYPES
from .params import Policy
from .policy_checks import BoundWarning, national_bound_warnings

PROGRAM_KEYS = {"dibao": "dibao.standard.{area}", "tekun": "tekun.basic_standard.{area}"}
PROGRAM_WORDS = {"dibao": "低保标准", "tekun": "特困人员基本生活标准"}
AREA_WORDS = {"urban": "城市", "rural": "农村"}


def standard_key(program: str, area_type: str) -> str:
    """The policy parameter a standard change of ``program`` for ``area_type`` sets."""
    return PROGRAM_KEYS[program].format(area=area_type)


def standard_violations(policy: Policy, as_of: date) -> list[BoundWarning]:
    """National bounds the standards of ``policy`` in force on ``as_of`` break (each one refuses)."""
    bound_entry = national_bounds().entry("bound.tekun.basic_multiplier.min", as_of)
    minimum = bound_entry.value
    out: list[BoundWarning] = []
    for area in AREA_TYPES:
        standard = policy.entry(f"dibao.standard.{area}", as_of).value
        basic_key = f"tekun.basic_standard.{area}"
        if basic_key in policy.params:
            basic = policy.entry(basic_key, as_of)
            floor = minimum * standard
            if basic.value < floor:
                out.append(BoundWarning(
                    parameter=basic_key, value=basic.value, bound=f"≥ {minimum} × {standard}", rule="R-TK-13",
                    message=f"{AREA_WORDS[area]}特困人员基本生活标准 {basic.value} 元低于{AREA_WORDS[area]}低保标准 "
                            f"{standard} 元的 {minimum} 倍（{floor.quantize(Decimal('0.01'))} 元），不符合国家下限"
                            f"（{bound_entry.source}）", source=basic.source))
        else:
            multiplier = policy.entry("tekun.basic_multiplier", as_of)
            if multiplier.value < minimum:
                out.append(BoundWarning(
                    parameter="tekun.basic_multiplier", value=multiplier.value, bound=f"≥ {minimum}", rule="R-TK-13",
                    message=f"特困人员基本生活标准倍数 {multiplier.value} 低于国家下限 {minimum}", source=multiplier.source))
    return out


def standard_warnings(policy: Policy, key: str, start: date) -> list[BoundWarning]:
    """Allowed but noteworthy: the new value of ``key`` from ``start`` is below the value before it,
    plus the §20 warnings of the policy on ``start``."""
    out: list[BoundWarning] = []
    new = policy.entry(key, start)
    values = policy.params[key]
    before = [v for v in values if v.start < start]
    if before and new.value < before[-1].value:
        previous = policy.entry(key, start - timedelta(days=1))
        out.append(BoundWarning(parameter=key, value=new.value, bound=f"≥ {previous.value}", rule="R-STD-01",
                                message=f"新标准 {new.value} 元低于现行标准 {previous.value} 元：标准应随经济社会发展和"
                                        "物价变动适时调整，下调须有依据", source=new.source))
    out.extend(national_bound_warnings(policy, start))
    return out
