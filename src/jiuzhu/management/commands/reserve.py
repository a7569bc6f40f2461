"""`jiuzhu reserve balances --user U [--json]` / `jiuzhu reserve allocate --township CODE --amount YUAN --user U` /
`jiuzhu reserve month --month YYYY-MM --user U [--json]`: the township 临时救助备用金 (R-TA-07,
docs/temporary-assistance.md)."""

from __future__ import annotations

from django.utils import timezone

from jiuzhu.apps.reserve.reconciliation import month_rows, parse_month
from jiuzhu.apps.reserve.selectors import fund_balances
from jiuzhu.apps.reserve.services import reserve_allocate

from ._bars import user_named
from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "临时救助备用金：balances 各乡镇余额及对账；allocate 县级拨付；month 月末对账"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("balances", help="列出管辖范围内各乡镇备用金：累计拨付、累计支出、余额、对账")
        p.add_argument("--user", required=True, help="操作人用户名（按其管辖范围列出）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("allocate", help="县级向乡镇拨付备用金")
        p.add_argument("--township", required=True, help="乡镇(街道)区划代码")
        p.add_argument("--amount", required=True, help="金额（元）")
        p.add_argument("--note", default="")
        p.add_argument("--user", required=True, help="操作人用户名（县级）")
        p = sub.add_parser("month", help="月末对账：各乡镇期初余额、拨付、补充、支出、期末余额及对账状态")
        p.add_argument("--month", required=True, help="对账月份 YYYY-MM")
        p.add_argument("--user", required=True, help="操作人用户名（按其管辖范围列出）")
        p.add_argument("--json", action="store_true")

    def handle(self, *args, action, **opts):
        user = user_named(opts["user"], required=True)
        if action == "allocate":
            entry = reserve_allocate(actor=user, township_code=opts["township"], amount=opts["amount"],
                                     note=opts["note"], now=timezone.now())
            self.stdout.write(f"已拨付 {entry.amount} 元，{opts['township']} 备用金余额 {entry.balance_after} 元")
            return
        if action == "month":
            self._month(user, parse_month(opts["month"]), as_json=opts["json"])
            return
        rows = fund_balances(actor=user)
        if opts["json"]:
            self.emit_json([{k: str(v) if not isinstance(v, bool) else v for k, v in r.items()} for r in rows])
            return
        for r in rows:
            self.stdout.write(f"{r['code']} {r['name']}：拨付 {r['allocated']}，补充 {r['replenished']}，支出 {r['drawn']}，余额 {r['balance']}，"
                              f"{'对账相符' if r['reconciled'] else '对账不符'}")

    def _month(self, user, month, *, as_json: bool) -> None:
        rows = month_rows(actor=user, month=month)
        keys = ("opening", "allocated", "replenished", "drawn", "closing", "ledger_closing", "balance")
        if as_json:
            self.emit_json([{"code": r.code, "name": r.name, **{k: str(getattr(r, k)) for k in keys},
                             "draws": r.draws, "matched": r.matched, "status": r.status} for r in rows])
            return
        for r in rows:
            self.stdout.write(f"{r.code} {r.name}：期初 {r.opening}，拨付 {r.allocated}，补充 {r.replenished}，"
                              f"支出 {r.drawn}（{r.draws} 笔），期末 {r.closing}，{r.status}")
