"""渐退 / 延退 (graduation) periods by reason code (R-DM-04; S2 art.33; S6 task 11; S7 一(三)).

Each region sets ``graduation.months.<reason>`` (dated; its ``source`` is the legal basis). The
national principle "原则上不超过6个月" is ``graduation.national_max_months`` in the national
bounds file (params/bounds/national.yaml); a longer local period is allowed as local policy but
flagged in the trace.

Reason codes (seed plan 社会救助年审工作方案 "积极落实低保延退机制"):
``pension_1_2x`` 已领取养老保险金且人均收入在标准 1–2 倍; ``graduate_employment`` 高中或大学毕业后就业;
``difficult_employment`` 公共就业服务机构推荐就业的就业困难家庭; ``disabled_employment``
推荐就业的残疾对象; ``epidemic`` 受疫情影响; ``employment_income`` 就业使收入超过标准（国家原则）.

A reason may also set ``graduation.income_max_multiple.<reason>``: the period applies only while the
per-capita income is at most that multiple of the standard (``pension_1_2x``: "家庭月人均收入在最低
生活保障标准1倍以上2倍以下" — 以上/以下 include the bound, so standard ≤ pci ≤ 2 × standard).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .errors import ValidationFailed
from .explain import Trace, yuan
from .params import Policy, load_policy
from .params.loader import PARAMS_DIR
from .policy_params import keys_with_prefix

BOUNDS_DIR = PARAMS_DIR / "bounds"
_PREFIX = "graduation.months."
_INCOME_PREFIX = "graduation.income_max_multiple."
GRD_INCOME_ABOVE_LIMIT = "GRD_INCOME_ABOVE_LIMIT"


@dataclass(frozen=True)
class GraduationTerms:
    """Graduation months per reason in force on ``as_of`` with their legal basis, and the national cap."""

    as_of: date
    months: dict  # reason -> (Decimal months, source)
    national_max_months: Decimal
    national_source: str
    income_max_multiple: dict = field(default_factory=dict)  # reason -> (Decimal multiple, source)


def national_bounds() -> Policy:
    """The national-bounds parameter set (params/bounds/national.yaml)."""
    return load_policy("national", BOUNDS_DIR)


def graduation_terms_for(policy: Policy, as_of: date) -> GraduationTerms:
    """Every ``graduation.months.*`` of ``policy`` in force on ``as_of`` plus the national cap (R-DM-04)."""
    months = {}
    for key in keys_with_prefix(policy, _PREFIX):
        entry = policy.entry(key, as_of)
        months[key[len(_PREFIX):]] = (entry.value, entry.source)
    limits = {}
    for key in keys_with_prefix(policy, _INCOME_PREFIX):
        entry = policy.entry(key, as_of)
        limits[key[len(_INCOME_PREFIX):]] = (entry.value, entry.source)
    cap = national_bounds().entry("graduation.national_max_months", as_of)
    return GraduationTerms(as_of=as_of, months=months, national_max_months=cap.value, national_source=cap.source,
                           income_max_multiple=limits)


def graduation_income_allowed(reason: str, pci: Decimal, standard: Decimal, terms: GraduationTerms,
                              trace: Trace | None = None) -> bool:
    """Whether ``pci`` is within the reason's income ceiling (R-DM-04; seed 年审方案 延退机制): at most
    ``graduation.income_max_multiple.<reason>`` × standard; True when the reason sets no ceiling."""
    if reason not in terms.income_max_multiple:
        return True
    multiple, basis = terms.income_max_multiple[reason]
    line = multiple * standard
    allowed = pci <= line
    if trace is not None:
        trace.add("R-DM-04", f"渐退原因“{reason}”仅适用于人均收入不高于标准的 {multiple} 倍（{yuan(line)}；"
                             f"依据：{basis}）：人均收入 {yuan(pci)}"
                             f"{'，符合' if allowed else '，超过上限，不适用渐退'}", allowed)
    return allowed


def graduation_period(reason: str, terms: GraduationTerms, trace: Trace | None = None) -> tuple[int, str, bool]:
    """(months, legal basis, flagged_above_national) for a 渐退 reason code (R-DM-04).

    Periods above the national 6-month principle are allowed as local policy, flagged (True) and
    noted in the trace. Unknown reason → ValidationFailed (field ``graduation.reason``)."""
    if reason not in terms.months:
        known = "、".join(sorted(terms.months)) or "无"
        raise ValidationFailed("graduation_reason_unknown",
                               f"本地政策未规定渐退原因“{reason}”的渐退期（字段：graduation.reason；已规定：{known}）",
                               field="graduation.reason", reason=reason, known=sorted(terms.months))
    months, basis = terms.months[reason]
    flagged = months > terms.national_max_months
    if trace is not None:
        trace.add("R-DM-04", f"渐退原因“{reason}”：渐退期 {months} 个月（依据：{basis}）", str(months))
        if flagged:
            trace.add("R-DM-04", f"渐退期 {months} 个月超过国家“原则上不超过{terms.national_max_months}个月”"
                                 f"（{terms.national_source}）：属地方政策，需标注并保留法律依据", True)
    return int(months), basis, flagged
