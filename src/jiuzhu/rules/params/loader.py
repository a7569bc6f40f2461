"""Load and look up dated policy parameters.

A parameter file is YAML::

    description: 参考政策
    inherits: null            # optional; a region code's file inherits its nearest parent file
    parameters:
      dibao.standard.urban:
        - {start: 2025-01-01, value: "950", source: "document, article"}
        - {start: 2026-01-01, value: "1000", source: "document, article"}

``lookup(param, as_of)`` takes the value with the latest ``start`` on or before ``as_of``. A policy
change adds a dated value; code never branches on dates. Inheritance runs province → city → county
(12-digit region codes); a child file overrides whole parameters (all their dated values) by key.

Values are exact decimals, except the enumerated parameters declared in :mod:`.enums`
(``dibao.method: tiered``), whose value is one of the declared words. A value whose source note
contains 待核实 ("to be verified") is an unverified demo value: :meth:`Policy.unverified_keys`
lists them so that results can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import DomainError, ValidationFailed
from .enums import ENUM_PARAMETERS, choices_text

PARAMS_DIR = Path(__file__).resolve().parent
_REGION = re.compile(r"^\d{12}$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_ITEM_KEYS = {"start", "value", "source"}
_TOP_KEYS = {"description", "inherits", "parameters"}
UNVERIFIED_MARK = "待核实"  # in a source note: a demo value not yet checked against the official text


class ParamFileError(DomainError):
    """A parameter file is malformed; details name ``file``, ``key`` and ``date`` where known."""

    status = 500

    def __init__(self, file: str, problem: str, *, key: str | None = None, when: str | None = None):
        where = "".join([f"参数“{key}”" if key else "", f"（生效日期 {when}）" if when else ""])
        super().__init__("param_file_invalid", f"参数文件 {file}：{where}{problem}", file=file, key=key, date=when)


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates and decimals as text, so we parse them exactly and name bad ones."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class DatedValue:
    start: date
    value: Decimal | str  # str only for the enumerated parameters of .enums
    source: str
    file: str

    @property
    def unverified(self) -> bool:
        return UNVERIFIED_MARK in self.source


@dataclass(frozen=True)
class Policy:
    """A resolved parameter set (after inheritance). ``chain`` lists the files, root first."""

    name: str
    chain: tuple[str, ...]
    params: dict  # key -> tuple[DatedValue, ...] sorted by start
    description: str = ""

    def keys(self) -> list[str]:
        return sorted(self.params)

    def unverified_keys(self, as_of: date) -> list[str]:
        """Keys whose value in force on ``as_of`` is marked 待核实 in its source note (demo values)."""
        out = []
        for key, values in sorted(self.params.items()):
            current = [v for v in values if v.start <= as_of]
            if current and current[-1].unverified:
                out.append(key)
        return out

    def entry(self, key: str, as_of: date) -> DatedValue:
        """The dated value in force on ``as_of``; error naming the parameter and date if none."""
        values = self.params.get(key)
        if values is None:
            raise DomainError("param_unknown", f"政策“{self.name}”中没有参数“{key}”", policy=self.name, parameter=key)
        found = None
        for item in values:
            if item.start <= as_of:
                found = item
            else:
                break
        if found is None:
            raise ValidationFailed(
                "policy_not_in_force",
                f"参数“{key}”在 {as_of.isoformat()} 无有效政策（最早自 {values[0].start.isoformat()} 起生效；字段：as_of）",
                field="as_of", policy=self.name, parameter=key, as_of=as_of.isoformat(),
            )
        return found

    def lookup(self, key: str, as_of: date) -> Decimal | str:
        return self.entry(key, as_of).value


def _parse_date(raw, file: str, key: str, index: int) -> date:
    text = str(raw).strip() if raw is not None else ""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ParamFileError(file, f"第{index + 1}项的 start“{text}”不是有效日期（应为 YYYY-MM-DD）",
                             key=key, when=text or None) from None


def _parse_choice(raw, file: str, key: str, when: str) -> str:
    if not isinstance(raw, str) or raw.strip() not in ENUM_PARAMETERS[key]:
        raise ParamFileError(file, f"value“{raw}”不是有效取值，可选：{choices_text(key)}", key=key, when=when)
    return raw.strip()


def _parse_value(raw, file: str, key: str, when: str) -> Decimal | str:
    if key in ENUM_PARAMETERS:
        return _parse_choice(raw, file, key, when)
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ParamFileError(file, f"value“{raw}”不是十进制数", key=key, when=when)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ParamFileError(file, f"value“{raw}”不是十进制数", key=key, when=when) from None
    if not value.is_finite():
        raise ParamFileError(file, f"value“{raw}”不是有限的十进制数", key=key, when=when)
    return value


def _parse_values(items, file: str, key: str) -> tuple[DatedValue, ...]:
    if not isinstance(items, list) or not items:
        raise ParamFileError(file, "应为非空的日期值列表 [{start, value, source}]", key=key)
    out: list[DatedValue] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ParamFileError(file, f"第{index + 1}项应为 {{start, value, source}}", key=key)
        start = _parse_date(item.get("start"), file, key, index)
        when = start.isoformat()
        extra = set(item) - _ITEM_KEYS
        if extra:
            raise ParamFileError(file, f"未知字段：{'、'.join(sorted(map(str, extra)))}", key=key, when=when)
        if "value" not in item:
            raise ParamFileError(file, "缺少 value", key=key, when=when)
        value = _parse_value(item["value"], file, key, when)
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ParamFileError(file, "缺少 source（出处：文件名称及条款）", key=key, when=when)
        if out and start == out[-1].start:
            raise ParamFileError(file, "生效日期重复", key=key, when=when)
        if out and start < out[-1].start:
            raise ParamFileError(file, f"生效日期未按先后排序（在 {out[-1].start.isoformat()} 之后）", key=key, when=when)
        out.append(DatedValue(start=start, value=value, source=source.strip(), file=file))
    return tuple(out)


def parse_file(path: Path) -> tuple[object, dict, str]:
    """Validate one file; return (inherits or ``...`` when absent, {key: dated values}, description)."""
    file = path.name
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ParamFileError(file, f"YAML 格式错误：{exc}") from None
    if not isinstance(doc, dict):
        raise ParamFileError(file, "顶层应为映射（description / inherits / parameters）")
    extra = set(doc) - _TOP_KEYS
    if extra:
        raise ParamFileError(file, f"未知顶层字段：{'、'.join(sorted(map(str, extra)))}")
    params = doc.get("parameters")
    if not isinstance(params, dict):
        raise ParamFileError(file, "缺少 parameters 映射")
    parsed = {}
    for key, items in params.items():
        if not isinstance(key, str) or not _NAME.match(key):
            raise ParamFileError(file, "参数名只能包含字母、数字、点、下划线和连字符", key=str(key))
        parsed[key] = _parse_values(items, file, key)
    inherits = doc["inherits"] if "inherits" in doc else ...
    if inherits is not ... and inherits is not None:
        inherits = str(inherits)
    return inherits, parsed, str(doc.get("description") or "")


def _region_ancestors(code: str) -> list[str]:
    """Nearest first: township → county → city → province codes above a 12-digit region code."""
    out = []
    for keep in (9, 6, 4, 2):
        candidate = code[:keep].ljust(12, "0")
        if candidate != code and int(code[keep:]) != 0:
            out.append(candidate)
    return list(dict.fromkeys(out))


def _parent(name: str, inherits, directory: Path):
    if inherits is not ...:
        return inherits
    if _REGION.match(name):
        for code in _region_ancestors(name):
            if (directory / f"{code}.yaml").exists():
                return code
    return None


def available_policies(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or PARAMS_DIR).glob("*.yaml"))


@lru_cache(maxsize=64)
def _load(name: str, directory: Path) -> Policy:
    chain: list[str] = []
    layers: list[dict] = []
    descriptions: list[str] = []
    current = name
    while current is not None:
        if current in chain:
            raise ParamFileError(f"{current}.yaml", f"继承关系循环：{' → '.join([*chain, current])}")
        path = directory / f"{current}.yaml"
        if not _NAME.match(current) or not path.is_file():
            if not chain:
                raise ValidationFailed("policy_unknown", f"未知政策“{name}”（字段：policy；可用：{'、'.join(available_policies(directory))}）",
                                       field="policy", policy=name)
            raise ParamFileError(f"{chain[-1]}.yaml", f"继承的参数文件 {current}.yaml 不存在")
        inherits, params, description = parse_file(path)
        chain.append(current)
        layers.append(params)
        descriptions.append(description)
        current = _parent(current, inherits, directory)
    merged: dict = {}
    for params in reversed(layers):
        merged.update(params)
    return Policy(name=name, chain=tuple(reversed(chain)), params=merged, description=descriptions[0])


def load_policy(name: str, directory: Path | None = None) -> Policy:
    """The policy ``name`` (a named policy or a region code) with inheritance resolved; cached."""
    if not isinstance(name, str) or not name:
        raise ValidationFailed("policy_unknown", "未指定政策（字段：policy）", field="policy")
    return _load(name, (directory or PARAMS_DIR).resolve())
