"""Low-income population monitoring and early warning (低收入人口动态监测, R-SYS-02..07, R-LI-01, R-LI-08):
the monitored categories, the alert types, the four dispositions and the region parameters of a scan.

Pure data and lookups: no Django, no engine. The scan itself is jiuzhu.batch.monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import ValidationFailed


def months_back(as_of: date, months: int) -> date:
    """First day of the ``months`` calendar months ending with ``as_of``'s month (12 months to
    2026-11-30 → 2025-12-01), as jiuzhu.batch.datasets.period_window."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)

# Monitored population (R-LI-01; R-LI-08 adds those who left dibao/特困 less than two years ago).
# Order = precedence when a household holds several statuses (the lowest rank is kept).
CATEGORIES = {
    "tekun": "特困人员", "dibao": "低保对象", "edge": "低保边缘家庭", "rigid_expenditure": "刚性支出困难家庭",
    "temporary": "临时救助对象", "left": "近两年退出保障",
}
CATEGORY_RANK = {code: i + 1 for i, code in enumerate(CATEGORIES)}
RECIPIENTS = ("tekun", "dibao")  # covered by a live enrollment: signals of hardship → 落实政策
SCHOOL_CATEGORIES = ("tekun", "dibao", "edge")  # a child of these households entering school

# The four outcomes of R-SYS-06 (S8 三(四)).
DISPOSITIONS = {
    "implement": "落实政策", "refer": "分类推送", "conference": "一事一议", "verify_close": "核查终止",
}
DISPOSITION_HELP = {
    "implement": "已纳入保障但政策未落实：直接落实或商请主管部门落实",
    "refer": "未纳入保障但可能符合条件：按困难类型推送相关部门",
    "conference": "情况复杂：提交县级困难群众基本生活保障协调机制一事一议",
    "verify_close": "可能不再符合条件：核查，符合条件的按程序终止（安排复核）",
}

# Departments an alert can be referred to (R-SYS-02 need-push; R-LI-07 special assistance).
DEPARTMENTS = {
    "medical": "医疗救助（医疗保障局）", "education": "教育救助（教育局）", "housing": "住房救助（住房和城乡建设局）",
    "employment": "就业救助（人力资源和社会保障局）", "disability": "残疾人帮扶（残疾人联合会）",
    "rural": "防止返贫监测帮扶（农业农村局）", "charity": "慈善帮扶（慈善总会等慈善组织）",
    "other": "其他部门或社会力量",
}


@dataclass(frozen=True)
class AlertType:
    code: str
    label: str
    dataset: str  # the department dataset it comes from (jiuzhu.batch.datasets)
    rule: str  # rule IDs it implements
    kind: str  # hardship | eligibility (possibly no longer eligible)
    department: str = ""  # the usual referral department
    description: str = ""


ALERT_TYPES = {t.code: t for t in (
    AlertType("medical_expense", "大额自付医疗费用", "medical_expense", "R-SYS-04、R-LI-04", "hardship", "medical",
              "近 12 个月个人自付医疗费用合计超过地区阈值"),
    AlertType("severe_disability", "新增重度残疾", "disability", "R-SYS-04", "hardship", "disability",
              "残联新评定的残疾等级达到重度（默认 1–2 级）"),
    AlertType("death", "家庭成员死亡", "hukou_death", "R-SYS-04、R-DM-05", "hardship", "",
              "户籍或死亡登记显示家庭成员死亡（主要劳动力死亡单独标注）"),
    AlertType("unemployment", "登记失业", "unemployment", "R-SYS-04", "hardship", "employment",
              "人社部门有未注销的失业登记"),
    AlertType("school_entry", "子女入学", "student", "R-SYS-04、R-LI-07", "hardship", "education",
              "低保、特困、低保边缘家庭的子女新入学（默认非义务教育学段）"),
    AlertType("new_vehicle", "新增机动车", "vehicle", "R-SYS-06(4)、R-AST-04", "eligibility", "",
              "保障对象名下新登记轿车或货车，可能不再符合条件"),
    AlertType("new_property", "新增住房", "real_estate", "R-SYS-06(4)、R-AST-05", "eligibility", "",
              "保障对象名下新登记住宅，可能不再符合条件"),
    AlertType("care_need", "探视巡访发现需求", "care_visit", "R-GRD-03", "hardship", "",
              "探视巡访分散供养特困人员时登记的需求，转相关部门或社会力量"),
)}
ALERT_TYPE_LABELS = {code: t.label for code, t in ALERT_TYPES.items()}
SCHOOL_STAGES_NONCOMPULSORY = ("preschool", "senior", "vocational", "college")
SCHOOL_STAGES_ALL = SCHOOL_STAGES_NONCOMPULSORY + ("primary", "junior")


def suggested_disposition(alert_type: str, category: str) -> str:
    """The disposition a caseworker would usually choose (R-SYS-06); they may pick any of the four."""
    kind = ALERT_TYPES[alert_type].kind
    if kind == "eligibility":
        return "verify_close"
    if category in RECIPIENTS:
        return "verify_close" if alert_type == "death" else "implement"
    return "refer"


# Region parameters (docs/policy-parameters.md §11). A policy that does not set a key uses DEFAULTS
# (demo values, like the province file's, 示例值待核实); code never branches on dates.
DEFAULTS = {
    "monitor.medical_self_paid_12m": Decimal("20000"),
    "monitor.medical_lookback_months": Decimal("12"),
    "monitor.disability_severe_max_grade": Decimal("2"),
    "monitor.event_window_days": Decimal("90"),
    "monitor.left_within_months": Decimal("24"),
    "monitor.temporary_within_months": Decimal("12"),
    "monitor.alert_due_working_days": Decimal("10"),
    "monitor.school_compulsory": Decimal("0"),
    "monitor.asset_alerts": Decimal("1"),
}


@dataclass(frozen=True)
class MonitorTerms:
    """One policy's scan terms on ``as_of``, as exact integers and dates (money in fen)."""

    policy: str
    medical_threshold_fen: int
    medical_since: date  # first day of the look-back period (R-INC-09 style window)
    severe_max_grade: int
    event_since: date  # events dated on or after this day are "new"
    left_since: date  # enrollments stopped from this month on are still monitored (R-LI-08)
    temporary_since: date
    due_working_days: int
    school_stages: tuple[str, ...]
    asset_alerts: bool
    sources: dict  # key → (value, source) used, for the scan record


def _value(policy, key: str, as_of: date):
    """(value, source) of ``key``: the policy's dated value, else the documented default."""
    if policy is not None and key in getattr(policy, "params", {}):
        entry = policy.entry(key, as_of)
        return entry.value, entry.source
    return DEFAULTS[key], "默认值（政策文件未设置；示例值，待核实）"


def _whole(value, key: str, minimum: int = 0) -> int:
    number = Decimal(value)
    if number != number.to_integral_value() or number < minimum:
        raise ValidationFailed("monitor.param", f"监测参数“{key}”应为不小于 {minimum} 的整数", field=key)
    return int(number)


def monitor_terms(policy, as_of: date, name: str | None = None) -> MonitorTerms:
    """The scan terms of ``policy`` (a loaded jiuzhu.rules.params Policy, or None for the defaults)."""
    used = {k: _value(policy, k, as_of) for k in DEFAULTS}
    v = {k: val for k, (val, _) in used.items()}
    threshold = Decimal(v["monitor.medical_self_paid_12m"])
    if threshold < 0:
        raise ValidationFailed("monitor.param", "监测参数“monitor.medical_self_paid_12m”不能为负数",
                               field="monitor.medical_self_paid_12m")
    lookback = _whole(v["monitor.medical_lookback_months"], "monitor.medical_lookback_months", 1)
    window = _whole(v["monitor.event_window_days"], "monitor.event_window_days", 1)
    return MonitorTerms(
        policy=name or getattr(policy, "name", "default"),
        medical_threshold_fen=int((threshold * 100).to_integral_value()),
        medical_since=months_back(as_of, lookback),
        severe_max_grade=_whole(v["monitor.disability_severe_max_grade"], "monitor.disability_severe_max_grade", 1),
        event_since=as_of - timedelta(days=window - 1),
        left_since=months_back(as_of, _whole(v["monitor.left_within_months"], "monitor.left_within_months", 1)),
        temporary_since=months_back(as_of, _whole(v["monitor.temporary_within_months"],
                                                  "monitor.temporary_within_months", 1)),
        due_working_days=_whole(v["monitor.alert_due_working_days"], "monitor.alert_due_working_days", 1),
        school_stages=SCHOOL_STAGES_ALL if _whole(v["monitor.school_compulsory"], "monitor.school_compulsory")
        else SCHOOL_STAGES_NONCOMPULSORY,
        asset_alerts=bool(_whole(v["monitor.asset_alerts"], "monitor.asset_alerts")),
        sources={k: {"value": str(val), "source": src} for k, (val, src) in used.items()},
    )
