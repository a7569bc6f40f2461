"""Declared schemas of the department datasets used for verification (核对, R-VER-04, R-VER-06,
R-SYS-04) and what each row means as an income, asset or status item.

Pure data: no Django, no database, no engine. Every file a department sends is checked against its
dataset's columns before anything is stored; every snapshot row becomes items through its rules.

Units. Money columns arrive in yuan (≤ 2 decimals) and are kept as integer fen. Income and deduction
items are monthly amounts (元/月): ``period`` rules sum the rows dated inside the reference period
(R-INC-09; the last ``months`` calendar months up to ``as_of``) and divide by the number of months,
rounded half up to the fen. Asset items are values (元) or counts, one item per registered object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SCHEMA_VERSION = 1
DEFAULT_PERIOD_MONTHS = 12  # R-INC-09: 12 months is the common reference period (刚性支出, 农业收入)

# Items the case workflow accepts in record_verification (apps/cases/payloads.py VerificationItem).
INCOME_ITEMS = ("wage", "business", "property", "transfer")
DEDUCTION_ITEMS = ("social_insurance", "income_tax", "medical_extra")
ASSET_ITEMS = ("financial", "vehicle", "residential_property", "business_capital")
PAYLOAD_ITEMS = INCOME_ITEMS + DEDUCTION_ITEMS + ASSET_ITEMS
# Facts shown in the report and compared with the declaration, never sent as amounts.
STATUS_ITEMS = ("non_residential_property", "vehicle_exempt", "legal_representative", "disability", "deceased",
                "hukou_cancelled", "unemployed", "student", "prison")

MONTHLY_LABEL = "月均"
ITEM_LABELS = {
    "wage": "工资性收入", "business": "经营净收入", "property": "财产净收入", "transfer": "转移净收入",
    "social_insurance": "个人缴纳社会保险及公积金", "income_tax": "个人所得税", "medical_extra": "自付医疗费用",
    "financial": "金融资产", "vehicle": "机动车辆", "residential_property": "住房",
    "business_capital": "市场主体认缴出资", "non_residential_property": "非住宅房产",
    "vehicle_exempt": "不计入的车辆（摩托车、残疾人代步车）", "legal_representative": "担任法定代表人",
    "disability": "残疾人认定", "deceased": "死亡登记", "hukou_cancelled": "户籍注销或迁出",
    "unemployed": "失业登记", "student": "在校学籍", "prison": "服刑",
}


def category_of(item: str) -> str:
    if item in INCOME_ITEMS:
        return "income"
    if item in DEDUCTION_ITEMS:
        return "deduction"
    if item in ASSET_ITEMS:
        return "asset"
    return "status"


@dataclass(frozen=True)
class Column:
    """One column of a department file. ``type``: id_number, string, date, money (yuan → fen),
    int, decimal (two places), enum (``choices`` of (code, 中文); either may appear in the file)."""

    name: str
    type: str
    label: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    maximum: int | None = None  # int columns


@dataclass(frozen=True)
class ItemRule:
    """How rows become items.

    ``mode``: ``period`` — rows dated in the reference period, summed per person and divided by the
    months (monthly income or deduction); ``each`` — one item per row dated on or before ``as_of``
    (and, with ``until``, not ended by then). ``when``: (column, allowed codes) filters.
    ``amount``: a money column (fen) or None (a count or status: amount 0).
    ``group``: items of the same group from different sources are one income seen by two
    departments (wage in tax records and the provident-fund base): the larger one is counted.
    ``excluded``: (first day, last day, reason) during which the item is listed but not counted.
    """

    item: str
    amount: str | None
    date: str
    rule: str
    mode: str = "each"
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    group: str = ""
    until: str | None = None
    detail: tuple[str, ...] = ()
    counted: bool = True
    excluded: tuple[date, date, str] | None = None

    def counted_on(self, as_of: date) -> bool:
        if not self.counted:
            return False
        return not (self.excluded and self.excluded[0] <= as_of <= self.excluded[1])


@dataclass(frozen=True)
class Dataset:
    code: str
    name: str
    department: str
    description: str
    columns: tuple[Column, ...]
    rules: tuple[ItemRule, ...]
    version: int = SCHEMA_VERSION
    rows_per_person: float = 1.0  # realistic volume per person of the population (synthetic data)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def id_column(self) -> Column:
        return next(c for c in self.columns if c.type == "id_number")

    @property
    def value_columns(self) -> tuple[Column, ...]:
        """What a snapshot keeps: everything except the raw ID number and the name (data minimisation)."""
        return tuple(c for c in self.columns if c.type != "id_number" and c.name != "name")

    def header_map(self) -> dict[str, str]:
        """Accepted header → column name: the column name itself or its Chinese label."""
        out = {}
        for c in self.columns:
            out[c.name] = c.name
            out[c.label] = c.name
        return out


@dataclass(frozen=True)
class ColumnCheck:
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    duplicated: tuple[str, ...] = ()
    mapping: dict = field(default_factory=dict)  # header in the file → column name

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.duplicated)

    def message(self, dataset: Dataset) -> str:
        parts = []
        if self.missing:
            parts.append("缺少列：" + "、".join(f"{n}（{dataset.column(n).label}）" for n in self.missing))
        if self.unexpected:
            parts.append("不认识的列：" + "、".join(self.unexpected))
        if self.duplicated:
            parts.append("重复的列：" + "、".join(self.duplicated))
        return f"文件的列与“{dataset.name}”的数据格式（第 {dataset.version} 版）不符，未导入任何数据。" + "；".join(parts)


def check_columns(dataset: Dataset, headers: list[str]) -> ColumnCheck:
    """Compare a file's header with the declared columns (names or Chinese labels, case-insensitive
    for names, surrounding spaces ignored). Optional columns may be absent."""
    accepted = {k.lower(): v for k, v in dataset.header_map().items()}
    mapping, seen, unexpected, duplicated = {}, set(), [], []
    for raw in headers:
        key = str(raw).strip().lower()
        name = accepted.get(key)
        if name is None:
            unexpected.append(str(raw).strip() or "（空列名）")
        elif name in seen:
            duplicated.append(str(raw).strip())
        else:
            seen.add(name)
            mapping[raw] = name
    missing = tuple(c.name for c in dataset.columns if c.required and c.name not in seen)
    return ColumnCheck(missing, tuple(unexpected), tuple(duplicated), mapping)


def period_window(as_of: date, months: int) -> tuple[date, date]:
    """The reference period: the ``months`` calendar months ending with ``as_of``'s month, up to
    ``as_of`` (e.g. 12 months to 2026-11-30 → 2025-12-01 … 2026-11-30)."""
    if months < 1:
        raise ValueError("months must be ≥ 1")
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), as_of


from .datasets_catalog import CATALOG  # noqa: E402  (the catalogue uses the classes above)

DATASETS: dict[str, Dataset] = {d.code: d for d in CATALOG}


def dataset(code: str) -> Dataset:
    return DATASETS[code]


def choice_labels(column: Column) -> dict[str, str]:
    return dict(column.choices)
