from __future__ import annotations

from django.core.management import call_command

from jiuzhu.apps.synthetic.demo import demo_load, demo_logins
from jiuzhu.apps.synthetic.demo_care import demo_care_load
from jiuzhu.apps.synthetic.demo_care_supervision import demo_care_supervision_load
from jiuzhu.apps.synthetic.demo_lowincome import demo_lowincome_load
from jiuzhu.apps.synthetic.demo_procedure import demo_procedure_load
from jiuzhu.apps.synthetic.demo_stats import demo_stats_compute
from jiuzhu.apps.synthetic.demo_world import demo_world_load

from ._bars import Bars
from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = ("迁移数据库、首次载入演示县（淳安县：各状态的低保/特困申请、在保对象、三个月发放、部门数据与预警、年审）、"
            "打印演示账号并启动服务（含一个后台任务进程）")

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve, host, port, **opts):
        call_command("keys", "init")
        call_command("migrate", interactive=False, verbosity=0)
        if demo_load():
            self.stdout.write("已载入演示数据：浙江省杭州市淳安县（3个乡镇 × 4个村/社区）")
        with Bars(self.stderr.isatty()) as bars:
            world = demo_world_load(progress=bars)
        if world:
            ledger = world["ledger"]
            self.stdout.write(
                f"已载入演示业务（以 {world['today']} 为今天，用时 {world['seconds']} 秒）：{world['cases']} 件低保/特困申请"
                f"（各办理状态，{world['overdue_cases']} 件逾期）；台账导入在保对象 {ledger['enrollments']} 个；"
                f"发放批次 {'、'.join(world['batches'].values())}（已对账 {world['reconciled']}）；"
                f"部门数据 {world['snapshots']} 个来源；监测预警 {world['alerts']} 条；年审进行中")
            facts = demo_stats_compute(list(world["batches"]))
            self.stdout.write(f"已计算月度统计（{'、'.join(sorted(world['batches']))}，{facts} 条），统计看板可直接查看")
        if demo_procedure_load():
            self.stdout.write("已开启年审方案的申请情况公示、驻村干部入户调查和民主听证（驻村干部：township 李经办）")
        recognition = demo_lowincome_load()
        if recognition is not None:
            self.stdout.write(f"已从主动发现名单发起低收入家庭认定 {recognition.number}（网页“低收入认定”）")
        if cared := demo_care_load():
            self.stdout.write(f"已载入特困人员监护照护：{cared} 名特困人员的民事行为能力、自理能力评估、监护人、探视巡访和全县摸底排查")
        if supervised := demo_care_supervision_load():
            self.stdout.write(f"已载入监护照护督导：{supervised} 条抽查、满意度调查、季度评估和探访督办")
        self.stdout.write("\n演示账号（仅用于演示数据）：")
        for username, role, region, password in demo_logins():
            self.stdout.write(f"  {username:<14} {role:<12} {region:<8} 密码：{password}")
        self.stdout.write("")
        if not no_serve:
            call_command("serve", host=host, port=port, with_worker=True)
