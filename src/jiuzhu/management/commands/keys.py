from __future__ import annotations

from django.conf import settings

from jiuzhu.core.crypto import ensure_key_file

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "个人信息加密密钥：init 生成密钥文件（已存在则不变）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init")

    def handle(self, *args, action, **opts):
        path = settings.JIUZHU_KEY_FILE
        if ensure_key_file(path):
            self.stdout.write(f"已生成密钥文件 {path}（请妥善备份，丢失后无法解密已加密的个人信息）")
        else:
            self.stdout.write(f"密钥文件已存在：{path}")
