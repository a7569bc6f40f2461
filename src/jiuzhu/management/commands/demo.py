from __future__ import annotations

from django.core.management import call_command

from jiuzhu.apps.synthetic.demo import demo_load, demo_logins

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "迁移数据库、首次载入演示县（淳安县）、打印演示账号并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve, host, port, **opts):
        call_command("keys", "init")
        call_command("migrate", interactive=False, verbosity=0)
        if demo_load():
            self.stdout.write("已载入演示数据：浙江省杭州市淳安县（3个乡镇 × 4个村/社区）")
        self.stdout.write("\n演示账号（仅用于演示数据）：")
        for username, role, region, password in demo_logins():
            self.stdout.write(f"  {username:<14} {role:<12} {region:<8} 密码：{password}")
        self.stdout.write("")
        if not no_serve:
            call_command("serve", host=host, port=port)
