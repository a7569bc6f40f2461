"""What a policy simulation may change and how its input is checked: dated parameters of the region's
policy (the standards, tier boundaries and amounts, the class add-on and C-class line, the per-capita
minimum, the edge multiplier, the income disregards), each with a new value from a start date. Errors
are Chinese and name the field; nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from jiuzhu.apps.regions.codes import is_valid_code, level_of
from jiuzhu.apps.regions.models import Region
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.params import Policy

LABELS = {
    "dibao.standard.urban": "城市低保标准（元/人/月）",
    "dibao.standard.rural": "农村低保标准（元/人/月）",
    "dibao.special_addon_ratio": "分类施保加发比例（标准的倍数/人）",
    "dibao.class_c_ratio": "C类人均收入比例（标准的倍数）",
    "dibao.per_capita_minimum": "人均最低保障金（元/人/月）",
    "edge.multiplier": "低保边缘家庭收入倍数",
    "income.employment_deduction_rate": "就业成本扣除比例（工资收入的倍数）",
    "income.employment_deduction_cap": "就业成本扣除上限（元/人/月）",
    "tekun.basic_standard.urban": "城市特困人员基本生活标准（元/人/月）",
    "tekun.basic_standard.rural": "农村特困人员基本生活标准（元/人/月）",
    "tekun.basic_multiplier": "特困基本生活标准（低保标准的倍数）",
}
TIER_WORDS = {"upper_ratio": "上限（标准的倍数）", "amount_ratio": "保障比例（标准的倍数）"}
RATIO_MAX = Decimal("10")
AMOUNT_MAX = Decimal("1000000")


def label(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["dibao", "tiers"] and parts[3] in TIER_WORDS:
        return f"分档第{parts[2]}档{TIER_WORDS[parts[3]]}"
    return key


def simulation_keys(policy: Policy, as_of: date) -> list[str]:
    """The keys a simulation of ``policy`` may change: the fixed ones the policy has, and the tier
    parameters of the tiers in force on ``as_of`` (when its method is 分档)."""
    keys = [k for k in LABELS if k in policy.params]
    try:
        count = int(policy.lookup("dibao.tiers.count", as_of)) if "dibao.tiers.count" in policy.params else 0
    except Exception:  # noqa: BLE001 — no tier count in force on that day: no tier keys
        count = 0
    for i in range(1, count + 1):
        keys += [k for k in (f"dibao.tiers.{i}.upper_ratio", f"dibao.tiers.{i}.amount_ratio") if k in policy.params]
    return keys


def parse_region(region_code: str) -> str:
    code = (region_code or "").strip()
    if not is_valid_code(code) or not Region.objects.filter(code=code).exists():
        raise ValidationFailed("simulation.region_invalid", f"区划代码“{code}”不存在（字段：region）", field="region")
    if level_of(code) > 3:
        raise ValidationFailed("simulation.region_level", "测算区划应为县级及以上（字段：region）", field="region")
    return code


def parse_start(value) -> date:
    if isinstance(value, date):
        start = value
    else:
        try:
            start = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationFailed("simulation.start_invalid", f"测算起始日期“{value}”格式错误，应为 YYYY-MM-01"
                                   "（字段：start_date）", field="start_date") from None
    if start.day != 1:
        raise ValidationFailed("simulation.start_not_first", f"测算起始日期 {start.isoformat()} 不是某月1日：政策调整按月生效"
                               "（字段：start_date）", field="start_date")
    return start


def parse_changes(policy: Policy, start: date, raw: dict) -> dict[str, Decimal]:
    """{key: new value} of the filled-in fields; every error at once, each naming its field."""
    allowed = simulation_keys(policy, start)
    errors, out = [], {}
    for key, text in raw.items():
        text = "" if text is None else str(text).strip()
        if text == "":
            continue
        if key not in allowed:
            errors.append({"field": key, "code": "unknown", "message": f"参数“{key}”不能测算或本政策没有该参数"})
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        limit = AMOUNT_MAX if "元" in label(key) else RATIO_MAX
        if value is None or not value.is_finite():
            errors.append({"field": key, "code": "invalid", "message": f"{label(key)}：“{text}”不是有效数值"})
        elif value <= 0 or value >= limit:
            errors.append({"field": key, "code": "range", "message": f"{label(key)}：{value} 超出范围，应大于0且小于{limit}"})
        elif value != value.quantize(Decimal("0.01")):
            errors.append({"field": key, "code": "places", "message": f"{label(key)}：最多两位小数"})
        else:
            latest = policy.params[key][-1]
            if start <= latest.start:
                errors.append({"field": "start_date", "code": "start_not_after",
                               "message": f"测算起始日期须晚于{label(key)}现行值的生效日期 {latest.start.isoformat()}"})
            out[key] = value
    if not errors and not out:
        errors.append({"field": "changes", "code": "empty", "message": "请至少填写一项要测算的新参数值"})
    if errors:
        first = errors[0]
        raise ValidationFailed("simulation.invalid", f"{first['message']}（字段：{first['field']}）",
                               field=first["field"], errors=errors)
    return out
