"""The enrollment ledger (在保对象台账) spreadsheet layout: one row per household member; documented in
docs/ledger-xlsx.md. Import and export share these definitions so an export imports back unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from jiuzhu.apps.registry.choices import DisabilityKind, Health, Relation


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    level: str  # "member", "household" (head row; others blank or equal) or "enrollment" (anchor row)
    required: bool = False  # the header must be present


COLUMNS = (
    Column("序号", "seq", "member"),
    Column("户主姓名", "head_name", "member", True),
    Column("户主身份证号", "head_id", "member", True),
    Column("成员姓名", "name", "member", True),
    Column("成员身份证号", "id_number", "member", True),
    Column("与户主关系", "relation", "member", True),
    Column("共同生活", "co_resident", "member"),
    Column("村(居)区划代码", "village", "household", True),
    Column("城乡类别", "area_type", "household", True),
    Column("居住地址", "address", "household"),
    Column("开户行", "bank_name", "household"),
    Column("银行账号", "bank_account", "household"),
    Column("联系电话", "phone", "member"),
    Column("残疾类别", "disability_kind", "member"),
    Column("残疾等级", "disability_grade", "member"),
    Column("健康状况", "health", "member"),
    Column("工资性收入(元/月)", "wage", "member"),
    Column("经营净收入(元/月)", "business", "member"),
    Column("财产净收入(元/月)", "property_income", "member"),
    Column("转移净收入(元/月)", "transfer", "member"),
    Column("保障类别", "program", "enrollment", True),
    Column("分类", "klass", "enrollment"),
    Column("月保障金(元)", "amount", "enrollment", True),
    Column("保障人数", "persons", "enrollment"),
    Column("起始月份", "start_month", "enrollment", True),
    Column("状态", "status", "enrollment"),
    Column("确认日期", "decided_on", "enrollment"),
    Column("下次复核", "next_recheck", "enrollment"),
)
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = tuple(c.header for c in COLUMNS)
HOUSEHOLD_KEYS = tuple(c.key for c in COLUMNS if c.level == "household")
ENROLLMENT_KEYS = tuple(c.key for c in COLUMNS if c.level == "enrollment")
INCOME_KEYS = ("wage", "business", "property_income", "transfer")
ERROR_HEADER = "错误"

# 保障类别: (program, per person?)
PROGRAMS = {"低保": ("dibao", False), "低保单人施保": ("dibao", True), "特困": ("tekun", True)}
PROGRAM_LABEL = {("dibao", False): "低保", ("dibao", True): "低保单人施保", ("tekun", True): "特困"}
AREA_TYPES = {"城镇": "urban", "城市": "urban", "urban": "urban", "农村": "rural", "rural": "rural"}
AREA_LABEL = {"urban": "城镇", "rural": "农村"}
STATUSES = {"在保": "active", "暂停": "suspended", "渐退期": "graduating", "": "active"}
STATUS_LABEL = {"active": "在保", "suspended": "暂停", "graduating": "渐退期"}
CLASSES = ("A", "B", "C", "D")
YES = {"是": True, "否": False, "": True}


def _labels(choices) -> dict[str, str]:
    """Label → code, accepting the code itself too (户主 → head, head → head)."""
    out = {label: code for code, label in choices.choices}
    out.update({code: code for code in choices.values})
    return out


RELATIONS = _labels(Relation)
RELATION_LABEL = dict(Relation.choices)
DISABILITIES = {**_labels(DisabilityKind), "": "none"}
DISABILITY_LABEL = dict(DisabilityKind.choices)
HEALTHS = {**_labels(Health), "": "healthy"}
HEALTH_LABEL = dict(Health.choices)
