"""``jiuzhu rules evaluate --policy NAME [FILE|-] [--jsonl]``: evaluate requests with the pure rules;
``jiuzhu rules policies``: list the policies (name, tab, description);
``jiuzhu rules check --policy NAME [--date YYYY-MM-DD]``: the §20 checks of a policy on a date as JSON —
``warnings`` (national bounds; 分档 ranges left below the standard after dibao, with the worst case) and
``tiers`` (per area type: below-standard ranges, worst case and the cliff at each tier edge).

Needs no database. Programs: dibao (补差, or 分档 where the region policy's ``dibao.method`` is
``tiered``), tekun, temporary, and the extensions rigid_expenditure and graduation. One input: the
§7 JSON on stdout, or exit 2 with ``{"error": {code, field, message}}`` on stderr and nothing on
stdout. ``--jsonl``: one output line per input line, in order; a bad line yields ``{"error": …}`` on
its own line and the rest continue (exit 0).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal

from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.evaluate import evaluate
from jiuzhu.rules.params import available_policies, load_policy
from jiuzhu.rules.policy_checks import national_bound_warnings
from jiuzhu.rules.tier_checks import tier_reports

from ._base import JiuzhuCommand


def _error(exc: DomainError) -> dict:
    return {"error": {"code": exc.code, "field": exc.details.get("field"), "message": exc.message}}


def _decode(text: str):
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise DomainError("invalid_json", f"输入不是有效的 JSON：{exc}（字段：$）", field="$") from None


def _reject_constant(name: str):
    raise ValueError(f"不支持 {name}")


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False)


class Command(JiuzhuCommand):
    help = ("规则引擎：evaluate --policy NAME [FILE|-] [--jsonl] 按政策测算低保（补差/分档）、特困、临时救助、"
            "刚性支出困难家庭认定（rigid_expenditure）、渐退（graduation）；policies 列出可用政策；"
            "check --policy NAME --date D 核对政策参数")
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("evaluate", help="测算一个（或 --jsonl 每行一个）申请，输出 JSON")
        p.add_argument("file", nargs="?", default="-", help="输入 JSON 文件，- 为标准输入（默认）")
        p.add_argument("--policy", default="reference", help=f"政策名称或行政区划代码（可选：{'、'.join(available_policies())}）")
        p.add_argument("--jsonl", action="store_true", help="每行一个输入，每行输出一个结果")
        sub.add_parser("policies", help="列出可用的政策（名称<TAB>说明；含示例值的政策会注明“待核实”）")
        p = sub.add_parser("check", help="核对政策参数（国家界限；分档：领取后低于标准的收入区间、各档边界落差），输出 JSON")
        p.add_argument("--policy", default="reference", help="政策名称或行政区划代码")
        p.add_argument("--date", required=True, help="核对日期 YYYY-MM-DD（取当日有效的参数）")

    def handle(self, *args, action, **opts):
        if action == "policies":
            self.stdout.write("\n".join(f"{name}\t{load_policy(name).description}" for name in available_policies()))
            return
        if action == "check":
            self._check(opts["policy"], opts["date"])
            return
        try:
            load_policy(opts["policy"])
            text = self._read(opts["file"])
        except DomainError as exc:
            self._fail(exc)
        if opts["jsonl"]:
            self._jsonl(text, opts["policy"])
            return
        try:
            out = evaluate(_decode(text), opts["policy"])
        except DomainError as exc:
            self._fail(exc)
        self.stdout.write(_dump(out))

    def _check(self, name: str, day: str) -> None:
        try:
            try:
                as_of = date.fromisoformat(day)
            except ValueError:
                raise DomainError("invalid_date", f"日期“{day}”格式错误，应为 YYYY-MM-DD（字段：date）",
                                  field="date") from None
            policy = load_policy(name)
            out = {"policy": policy.name, "as_of": as_of.isoformat(),
                   "warnings": [w.as_dict() for w in national_bound_warnings(policy, as_of)],
                   "tiers": [r.as_dict() for r in tier_reports(policy, as_of)]}
        except DomainError as exc:
            self._fail(exc)
        self.stdout.write(_dump(out))

    def _read(self, name: str) -> str:
        if name == "-":
            return sys.stdin.read()
        try:
            with open(name, encoding="utf-8-sig") as handle:
                return handle.read()
        except OSError as exc:
            raise DomainError("file_unreadable", f"无法读取文件 {name}：{exc.strerror}（字段：file）", field="file") from None

    def _jsonl(self, text: str, policy: str) -> None:
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                out = evaluate(_decode(line), policy)
            except DomainError as exc:
                out = _error(exc)
            self.stdout.write(_dump(out))

    def _fail(self, exc: DomainError):
        sys.stdout.flush()
        sys.stderr.write(_dump(_error(exc)) + "\n")
        sys.stderr.flush()
        sys.exit(2)
