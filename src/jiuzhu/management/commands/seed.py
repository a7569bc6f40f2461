from __future__ import annotations

import time

from jiuzhu.apps.synthetic.demo import DEMO_COUNTY
from jiuzhu.apps.synthetic.seed import seed_households

from ._base import JiuzhuCommand


class Command(JiuzhuCommand):
    help = "生成合成家庭数据（有效身份证号、合理的年龄、收入和财产分布）"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True, help="户数")
        parser.add_argument("--region", default=DEMO_COUNTY, help="区划代码（默认演示县）")
        parser.add_argument("--seed", type=int, default=None, help="随机种子")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, households, region, seed, no_progress, **opts):
        started = time.perf_counter()
        added = seed_households(households, region_code=region, seed=seed, progress=not no_progress)
        self.stdout.write(f"已生成 {added} 户，用时 {time.perf_counter() - started:.1f} 秒")
