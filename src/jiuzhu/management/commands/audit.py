from __future__ import annotations

import sys

from django.core.management.base import CommandError

from jiuzhu.apps.audit.anchors import AnchorRefused, anchor_files, audit_anchor
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_verify
from jiuzhu.core.crypto import KeyError_

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "审计日志：verify 校验哈希链和已签署的链头锚点 | anchor 签署当前链头并写入锚点文件"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条校验审计日志哈希链，并核对每个锚点文件记录的链头")
        sub.add_parser("anchor", help="把每条哈希链的链头（链、序号、哈希）以 HMAC-SM3 签名写入锚点文件并记入日志")

    def handle(self, *args, action, **opts):
        try:
            if action == "anchor":
                return self._anchor()
            intact, broken, checked = audit_verify()
        except KeyError_ as exc:
            raise CommandError(str(exc), returncode=2) from None
        if intact:
            anchors = len(anchor_files())
            self.stdout.write(f"审计日志完整：已校验 {checked} 条事件，{anchors} 个锚点文件相符")
            legacy = AuditEvent.objects.filter(key_id="").count()
            if legacy:
                self.stdout.write(f"其中 {legacy} 条为启用密钥前写入的旧式事件（仅 SM3）"
                                  + ("" if anchors else "；尚无锚点保护，请运行 jiuzhu audit anchor"))
            return
        self._tampered(broken, checked)

    def _anchor(self):
        try:
            path, signed = audit_anchor()
        except AnchorRefused as exc:
            self._tampered(exc.problem, None)
        self.stdout.write(f"已写入审计锚点 {path}：{len(signed['heads'])} 条哈希链，签名密钥 {signed['key_id']}")

    def _tampered(self, broken: dict, checked):
        where = f"哈希链={broken['chain'] or '（无区划）'} 序号={broken['seq']}"
        if broken.get("anchor"):  # the problem names the anchor file, and the chain and seq when it has them
            line = f"审计日志被篡改（链尾被截断或改写）：{broken['problem']}"
        else:
            line = (f"审计日志被篡改：第一个异常事件 {where} id={broken['id']} 操作={broken['action']}："
                    f"{broken['problem']}")
        if checked is not None:
            line += f"（此前 {checked} 条正常）"
        self.stdout.write(line)
        sys.stdout.flush()
        sys.exit(1)
