from __future__ import annotations

from django.core.management.base import CommandError

from jiuzhu.apps.accounts.models import ApiToken, User
from jiuzhu.apps.accounts.tokens import token_create, token_revoke

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "API 令牌：create --user NAME | revoke PREFIX | list --user NAME"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("create")
        p.add_argument("--user", required=True)
        p.add_argument("--name", default="")
        p = sub.add_parser("revoke")
        p.add_argument("prefix")
        p = sub.add_parser("list")
        p.add_argument("--user", required=True)

    def _user(self, name):
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"用户“{name}”不存在", returncode=2)
        return user

    def handle(self, *args, action, **opts):
        if action == "create":
            _, raw = token_create(user=self._user(opts["user"]), name=opts["name"])
            self.stdout.write(raw)
        elif action == "revoke":
            token = ApiToken.objects.filter(prefix=opts["prefix"]).first()
            if token is None:
                raise CommandError(f"令牌前缀“{opts['prefix']}”不存在", returncode=2)
            token_revoke(token=token, actor=None)
            self.stdout.write(f"已吊销令牌 {token.prefix}")
        else:
            for t in ApiToken.objects.filter(user=self._user(opts["user"])).order_by("id"):
                state = "已吊销" if t.revoked_at else "有效"
                self.stdout.write(f"{t.prefix}\t{t.name}\t{t.created_at:%Y-%m-%d %H:%M}\t{state}")
