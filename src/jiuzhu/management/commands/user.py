from __future__ import annotations

import sys

from django.core.management.base import CommandError

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.accounts.services import user_create, user_unlock
from jiuzhu.apps.regions.models import Region

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = ("用户：create --username U --role ROLE --region CODE [--name 姓名]（密码从标准输入读取）| unlock U"
            " | password U（新密码从标准输入读取）| cadre U --yes/--no（驻村干部）")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("create")
        p.add_argument("--username", required=True)
        p.add_argument("--role", required=True, help="角色：" + "、".join(f"{v}（{label}）" for v, label in Role.choices))
        p.add_argument("--region", required=True, help="12位区划代码")
        p.add_argument("--name", default="")
        p.add_argument("--resident-cadre", action="store_true", help="驻村干部（可作为入户调查人员之一）")
        p = sub.add_parser("cadre", help="设置是否为驻村干部")
        p.add_argument("username")
        flag = p.add_mutually_exclusive_group(required=True)
        flag.add_argument("--yes", dest="cadre", action="store_true", help="是驻村干部")
        flag.add_argument("--no", dest="cadre", action="store_false", help="不是驻村干部")
        p = sub.add_parser("unlock")
        p.add_argument("username")
        p = sub.add_parser("password", help="重设密码（新密码从标准输入读取）")
        p.add_argument("username")

    def handle(self, *args, action, **opts):
        if action == "password":
            from jiuzhu.apps.accounts.services import user_set_password

            target = User.objects.filter(username=opts["username"]).first()
            if target is None:
                raise CommandError(f"用户“{opts['username']}”不存在", returncode=2)
            user_set_password(actor=None, user=target, password=sys.stdin.readline().rstrip("\n"))
            self.stdout.write(f"已重设密码：{target.username}")
            return
        if action == "cadre":
            from jiuzhu.apps.accounts.services import user_set_resident_cadre

            user = user_set_resident_cadre(actor=None, username=opts["username"], resident_cadre=opts["cadre"])
            self.stdout.write(f"{user.username}：{'是' if user.resident_cadre else '不是'}驻村干部")
            return
        if action == "unlock":
            user_unlock(actor=None, username=opts["username"])
            self.stdout.write(f"已解除锁定：{opts['username']}")
            return
        if not Region.objects.filter(code=opts["region"]).exists():
            raise CommandError(f"区划代码 {opts['region']} 不存在", returncode=2)
        password = sys.stdin.readline().rstrip("\n")
        user = user_create(actor=None, username=opts["username"], password=password, role=opts["role"],
                           region_code=opts["region"], display_name=opts["name"],
                           resident_cadre=opts["resident_cadre"])
        self.stdout.write(f"已创建用户 {user.username}（{user.role_label}，{opts['region']}）")
