from __future__ import annotations

import sys

from jiuzhu.apps.audit.services import audit_verify

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "审计日志：verify 校验哈希链"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条校验审计日志哈希链")

    def handle(self, *args, action, **opts):
        intact, broken, checked = audit_verify()
        if intact:
            self.stdout.write(f"审计日志完整：已校验 {checked} 条事件")
            return
        self.stdout.write(
            f"审计日志被篡改：第一个异常事件 哈希链={broken['chain'] or '（无区划）'} 序号={broken['seq']} id={broken['id']} 操作={broken['action']}："
            f"{broken['problem']}（此前 {checked} 条正常）"
        )
        sys.stdout.flush()
        sys.exit(1)
