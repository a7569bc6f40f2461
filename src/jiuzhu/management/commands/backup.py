from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from jiuzhu.apps.backup.services import backup_create, backup_prune, keys_copy
from jiuzhu.core.crypto import KeyError_

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = ("备份数据库（SQLite 在线备份 / PostgreSQL pg_dump -Fc）并写入带签名的清单 manifest.json；"
            "密钥文件不在备份中，--with-keys DIR 另行复制")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None,
                            help="备份存放目录（在其中新建 jiuzhu-<数据库>-<时间> 子目录；默认 JIUZHU_BACKUP_DIR，即 var/backups）")
        parser.add_argument("--with-keys", type=Path, default=None, metavar="DIR",
                            help="另把密钥文件复制到 DIR（须与备份分开保管，例如离线介质）")
        parser.add_argument("--keep", type=int, default=0, metavar="N",
                            help="备份成功后只保留存放目录中最新的 N 份备份（0：不删除）")

    def handle(self, *args, out, with_keys, keep, **opts):
        if keep < 0:
            raise CommandError("--keep 不能为负数", returncode=2)
        try:
            directory, manifest = backup_create(out=out)
            key_path = keys_copy(with_keys, backup_dir=directory) if with_keys else None
        except KeyError_ as exc:
            raise CommandError(str(exc), returncode=2) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"已备份到 {directory}（{manifest['dump']}，{manifest['size']} 字节，"
                          f"{len(manifest['tables'])} 张表 {rows} 行，{len(manifest['audit_heads'])} 条审计哈希链）")
        self.stdout.write(f"SHA-256 {manifest['sha256']}")
        if key_path:
            self.stderr.write(f"警告：密钥文件已复制到 {key_path}。它能解密全部个人信息，请与数据库备份分开、离线保管，"
                              "切勿与备份放在同一介质上。")
        if keep:
            for path in backup_prune(directory.parent, keep):
                self.stdout.write(f"已删除旧备份 {path}")
