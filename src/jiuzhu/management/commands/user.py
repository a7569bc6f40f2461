from __future__ import annotations

import sys

from django.core.management.base import CommandError

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.accounts.services import user_create, user_set_active, user_unlock, user_update
from jiuzhu.apps.regions.models import Region

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = ("用户：create --username U --role ROLE --region CODE [--name 姓名] [--post 职务] [--resident-cadre]（密码从标准输入读取）"
            " | update U [--role R] [--region CODE] [--name 姓名] [--post 职务] | deactivate U | activate U | unlock U"
            " | password U（新密码从标准输入读取）| cadre U --yes/--no（驻村干部）")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("create")
        p.add_argument("--username", required=True)
        p.add_argument("--role", required=True, help="角色：" + "、".join(f"{v}（{label}）" for v, label in Role.choices))
        p.add_argument("--region", required=True, help="12位区划代码")
        p.add_argument("--name", default="")
        p.add_argument("--post", default="", help="职务（显示在办理记录和文书上）")
        p.add_argument("--resident-cadre", action="store_true", help="驻村干部（可作为入户调查人员之一）")
        p = sub.add_parser("cadre", help="设置是否为驻村干部")
        p.add_argument("username")
        flag = p.add_mutually_exclusive_group(required=True)
        flag.add_argument("--yes", dest="cadre", action="store_true", help="是驻村干部")
        flag.add_argument("--no", dest="cadre", action="store_false", help="不是驻村干部")
        p = sub.add_parser("update", help="修改角色、区划、姓名或职务（未给出的保持不变）")
        p.add_argument("username")
        p.add_argument("--role")
        p.add_argument("--region")
        p.add_argument("--name")
        p.add_argument("--post")
        for name, text in (("deactivate", "停用账号（登录和 API 令牌随即失效）"), ("activate", "重新启用账号")):
            p = sub.add_parser(name, help=text)
            p.add_argument("username")
        p = sub.add_parser("unlock")
        p.add_argument("username")
        p = sub.add_parser("password", help="重设密码（新密码从标准输入读取）")
        p.add_argument("username")

    def _target(self, username: str) -> User:
        target = User.objects.filter(username=username).first()
        if target is None:
            raise CommandError(f"用户“{username}”不存在", returncode=2)
        return target

    def handle(self, *args, action, **opts):
        if action == "update":
            target = self._target(opts["username"])
            user = user_update(actor=None, user=target, role=opts["role"] or target.role,
                               region_code=opts["region"] or target.region_id,
                               display_name=target.display_name if opts["name"] is None else opts["name"],
                               post=target.post if opts["post"] is None else opts["post"])
            self.stdout.write(f"已修改用户 {user.username}（{user.role_label}，{user.region_id}，{user.post or '—'}）")
            return
        if action in ("deactivate", "activate"):
            user = user_set_active(actor=None, user=self._target(opts["username"]), active=action == "activate")
            self.stdout.write(f"已{'启用' if user.is_active else '停用'}用户 {user.username}")
            return
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
                           region_code=opts["region"], display_name=opts["name"], post=opts["post"],
                           resident_cadre=opts["resident_cadre"])
        self.stdout.write(f"已创建用户 {user.username}（{user.role_label}，{opts['region']}）")
