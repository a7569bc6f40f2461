from __future__ import annotations

import sys

from django.core.management.base import CommandError

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.accounts.services import user_create
from jiuzhu.apps.regions.models import Region

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "用户：create --username U --role ROLE --region CODE [--name 姓名]（密码从标准输入读取）| unlock U"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("create")
        p.add_argument("--username", required=True)
        p.add_argument("--role", required=True, help="角色：" + "、".join(f"{v}（{label}）" for v, label in Role.choices))
        p.add_argument("--region", required=True, help="12位区划代码")
        p.add_argument("--name", default="")
        p = sub.add_parser("unlock")
        p.add_argument("username")

    def handle(self, *args, action, **opts):
        if action == "unlock":
            if not User.objects.filter(username=opts["username"]).update(failed_logins=0, locked_until=None):
                raise CommandError(f"用户“{opts['username']}”不存在", returncode=2)
            self.stdout.write(f"已解除锁定：{opts['username']}")
            return
        if not Region.objects.filter(code=opts["region"]).exists():
            raise CommandError(f"区划代码 {opts['region']} 不存在", returncode=2)
        password = sys.stdin.readline().rstrip("\n")
        user = user_create(actor=None, username=opts["username"], password=password, role=opts["role"],
                           region_code=opts["region"], display_name=opts["name"])
        self.stdout.write(f"已创建用户 {user.username}（{user.role_label}，{opts['region']}）")
