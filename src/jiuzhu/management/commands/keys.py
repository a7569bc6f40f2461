from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from jiuzhu.core import crypto
from jiuzhu.core.audit_keys import add_audit_key, audit_keys

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = ("个人信息加密与审计哈希链密钥：init 生成密钥文件（已存在则不变）| rotate 新增加密密钥并重新加密全部数据，"
            "同时新增审计密钥 | rotate-audit 只新增审计密钥（旧事件仍按各自的密钥编号校验）")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init")
        sub.add_parser("rotate")
        sub.add_parser("rotate-audit")

    def handle(self, *args, action, **opts):
        path = Path(settings.JIUZHU_KEY_FILE)
        if action == "init":
            if crypto.ensure_key_file(path):
                self.stdout.write(f"已生成密钥文件 {path}（请妥善备份，丢失后无法解密已加密的个人信息）")
            else:
                self.stdout.write(f"密钥文件已存在：{path}")
            return
        if os.environ.get("JIUZHU_KEYS") or not path.exists():
            raise CommandError("密钥轮换需要密钥文件（JIUZHU_KEY_FILE），不能用环境变量 JIUZHU_KEYS", returncode=2)
        material = json.loads(path.read_text())
        audit_id = add_audit_key(material)
        if action == "rotate-audit":
            self._write(path, material)
            self.stdout.write(f"已启用新审计密钥 {audit_id}；旧事件仍按各自的密钥编号校验，旧密钥须保留在密钥文件中")
            return
        from jiuzhu.apps.integrity.relatives_models import StaffRelative
        from jiuzhu.apps.registry.rotation import reencrypt_all

        new_id = f"k{len(material['keys']) + 1}"
        while new_id in material["keys"]:
            new_id += "x"
        material["keys"][new_id] = secrets.token_hex(16)
        material["active"] = new_id
        self._write(path, material)
        changed = reencrypt_all(ring=crypto.keyring(), extra=((StaffRelative, ("id_number_enc",)),))
        from jiuzhu.apps.cases.files import attachments_reencrypt

        files = attachments_reencrypt(ring=crypto.keyring())
        self.stdout.write(f"已启用新密钥 {new_id}，重新加密 {changed} 行、案件材料文件 {files} 个；"
                          f"已启用新审计密钥 {audit_id}；旧密钥仍保留在密钥文件中以便解密备份、校验旧审计事件")

    @staticmethod
    def _write(path: Path, material: dict) -> None:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(material, fh, indent=2)
        os.replace(tmp, path)
        crypto.keyring.cache_clear()
        audit_keys.cache_clear()
