from __future__ import annotations

import importlib
import json

from django.core.management.base import CommandError

from ._base import JiuzhuCommand

BENCHES = {"paging": "jiuzhu.benchmarks.paging"}


class Command(JiuzhuCommand):
    help = "性能基准：bench NAME [--households N] [--json]；NAME 可选：" + "、".join(BENCHES)

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--json", action="store_true", help="最后一行输出 JSON")

    def handle(self, *args, name, households, repeat, json: bool, **opts):
        if name not in BENCHES:
            raise CommandError(f"未知的基准“{name}”，可选：{'、'.join(BENCHES)}", returncode=2)
        if households < 1:
            raise CommandError("--households 必须为正整数", returncode=2)
        result = importlib.import_module(BENCHES[name]).run(households=households, repeat=repeat)
        if json:
            self.stdout.write(_dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
