from __future__ import annotations

import importlib
import json
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from ._base import JiuzhuCommand

BENCHES = {"paging": "jiuzhu.benchmarks.paging", "rules": "jiuzhu.benchmarks.rules"}


class Command(JiuzhuCommand):
    help = "性能基准：bench NAME [--households N] [--json]；NAME 可选：" + "、".join(BENCHES)

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--households", default="100000",
                            help="户数 N；对 rules 基准也可为家庭 Parquet 文件（与 --persons 同用）")
        parser.add_argument("--persons", default=None, help="rules：成员 Parquet 文件")
        parser.add_argument("--policy", default="reference", help="rules：政策名称或区划代码")
        parser.add_argument("--as-of", default="2026-12-01", help="rules：计算日期")
        parser.add_argument("--out", default=None, help="rules：输出金额 Parquet 文件")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--json", action="store_true", help="最后一行输出 JSON")

    def handle(self, *args, name, households, persons, policy, as_of, out, repeat, json: bool, **opts):
        if name not in BENCHES:
            raise CommandError(f"未知的基准“{name}”，可选：{'、'.join(BENCHES)}", returncode=2)
        kwargs = {"repeat": repeat}
        if households.isdigit():
            kwargs["households"] = int(households)
            if kwargs["households"] < 1:
                raise CommandError("--households 必须为正整数", returncode=2)
        elif name != "rules" or not persons:
            raise CommandError("--households 应为正整数；只有 rules 基准可与 --persons 一起给出 Parquet 文件", returncode=2)
        if name == "rules":
            try:
                kwargs["as_of"] = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of “{as_of}”格式错误，应为 YYYY-MM-DD", returncode=2) from None
            kwargs.update(policy=policy, out=out)
            if persons:
                for label, path in (("--persons", persons), ("--households", households)):
                    if not Path(path).exists():
                        raise CommandError(f"{label} 文件不存在：{path}", returncode=2)
                kwargs.update(persons_path=persons, households_path=households)
        elif persons:
            raise CommandError("--persons 只适用于 rules 基准", returncode=2)
        result = importlib.import_module(BENCHES[name]).run(**kwargs)
        if json:
            self.stdout.write(_dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
