from __future__ import annotations

import importlib
import json
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from ._base import JiuzhuCommand

BENCHES = {"paging": "jiuzhu.benchmarks.paging", "rules": "jiuzhu.benchmarks.rules", "api": "jiuzhu.benchmarks.api",
           "payroll": "jiuzhu.benchmarks.payroll", "verify": "jiuzhu.benchmarks.verify",
           "monitor": "jiuzhu.benchmarks.monitor", "dashboard": "jiuzhu.benchmarks.dashboard",
           "documents": "jiuzhu.benchmarks.documents", "stats": "jiuzhu.benchmarks.stats_return",
           "simulate": "jiuzhu.benchmarks.simulate", "visits": "jiuzhu.benchmarks.visits",
           "relatives": "jiuzhu.benchmarks.relatives", "temporary": "jiuzhu.benchmarks.temporary",
           "selfcheck": "jiuzhu.benchmarks.selfcheck"}


class Command(JiuzhuCommand):
    help = "性能基准：bench NAME [--households N] [--json]；NAME 可选：" + "、".join(BENCHES)

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--households", default="100000",
                            help="户数 N；对 rules 基准也可为家庭 Parquet 文件（与 --persons 同用）")
        parser.add_argument("--persons", default=None, help="rules：成员 Parquet 文件；monitor：监测人数")
        parser.add_argument("--policy", default="reference", help="rules：政策名称或区划代码")
        parser.add_argument("--as-of", default="2026-12-01", help="rules：计算日期")
        parser.add_argument("--out", default=None, help="rules：输出金额 Parquet 文件")
        parser.add_argument("--out-single", default=None, help="rules：输出单人户施保 Parquet 文件")
        parser.add_argument("--parquet", action="store_true",
                            help="rules：先把合成数据写成 Parquet 文件，计时从读文件开始")
        parser.add_argument("--openfisca-python", default=None,
                            help="rules：装有 openfisca-core 的 Python 解释器（独立 venv），用于 OpenFisca 基线；"
                                 "不给则跳过并注明")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--json", action="store_true", help="最后一行输出 JSON")
        # api: case page / my tasks / actions under concurrent users (jiuzhu.benchmarks.api)
        parser.add_argument("--cases", type=int, default=1_000_000, help="api：案件数（基准库 jiuzhu_bench 中）")
        parser.add_argument("--users", type=int, default=200, help="api：并发模拟用户数")
        parser.add_argument("--seconds", type=float, default=60.0, help="api：计量时长（秒，不含预热）")
        parser.add_argument("--warmup", type=float, default=None, help="api：预热秒数（不计量）")
        parser.add_argument("--think", default="1,5", help="api：用户思考时间范围（秒），如 1,5")
        parser.add_argument("--workers", type=int, default=None, help="api：gunicorn 进程数（默认同 jiuzhu serve：每核 6 个）")
        parser.add_argument("--threads", type=int, default=None, help="api：每进程线程数（默认 1）")
        parser.add_argument("--database-url", default=None,
                            help="api：基准库 URL（库名须以 jiuzhu_bench 开头或以 _bench 结尾；默认 JIUZHU_BENCH_DATABASE_URL 或 "
                                 "postgresql://postgres@127.0.0.1:5432/jiuzhu_bench）")
        parser.add_argument("--rebuild", action="store_true", help="api：删除并重建基准库")
        parser.add_argument("--enrollments", default=None,
                            help="dashboard、stats、selfcheck：在保对象数（基准库 jiuzhu_bench_dashboard、jiuzhu_bench_stats 中）")
        parser.add_argument("--count", default="10000", help="documents：文书份数")
        parser.add_argument("--processes", default=None, help="documents：并行进程数（默认每核一个）")
        parser.add_argument("--relatives", default="50000", help="relatives：工作人员近亲属登记数")
        parser.add_argument("--townships", default="100", help="temporary：乡镇数（每镇一个备用金）")
        parser.add_argument("--draws", default="2000", help="temporary：每个乡镇当月备用金支出笔数")
        # verify / monitor at provincial scale (issue 19; docs/scaling.md)
        parser.add_argument("--dept-rows", default=None, help="verify：N 户对应的部门数据行数（默认约每户 535 行）")
        parser.add_argument("--sizes", default=None, help="verify、monitor：逗号分隔的规模（默认 N/100、N/10、3N/10、N）")
        parser.add_argument("--memory-limit", default="12GB", help="verify、monitor：DuckDB 内存上限（超出部分写入临时目录）")
        parser.add_argument("--temp-dir", default=None, help="verify、monitor：DuckDB 溢出临时目录（默认在数据目录下）")
        parser.add_argument("--engine", default="duckdb", choices=("duckdb", "pyspark"), help="verify、monitor：计算引擎")
        parser.add_argument("--parity-rows", default="0", help="verify：另在约这么多部门数据行的样本上比对 DuckDB 与 Spark 结果")
        parser.add_argument("--gen-workers", default="2", help="verify、monitor：生成数据的进程数")

    def handle(self, *args, name, households, persons, policy, as_of, out, repeat, json: bool, out_single=None,
               parquet=False, **opts):
        if name not in BENCHES:
            raise CommandError(f"未知的基准“{name}”，可选：{'、'.join(BENCHES)}", returncode=2)
        if name == "api":
            bench = importlib.import_module(BENCHES[name])
            try:
                bench.check_database_url(opts["database_url"])
            except ValueError as exc:
                raise CommandError(str(exc), returncode=2) from None
            result = bench.run(**_api_options(opts))
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name == "monitor":  # --persons N: monitored persons (jiuzhu.benchmarks.monitor)
            if not (persons or "").isdigit() or int(persons) < 1:
                raise CommandError("monitor 基准须用 --persons 给出监测人数（正整数）", returncode=2)
            result = importlib.import_module(BENCHES[name]).run(persons=int(persons), **_scale_options(opts))
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name == "verify":  # --households N [--dept-rows R] (jiuzhu.benchmarks.verify)
            if not households.isdigit() or int(households) < 1:
                raise CommandError("verify 基准的 --households 应为正整数", returncode=2)
            extra = _scale_options(opts)
            for key, label in (("dept_rows", "--dept-rows"), ("parity_rows", "--parity-rows")):
                raw = str(opts.get(key) or "0")
                if not raw.isdigit():
                    raise CommandError(f"{label} 应为非负整数", returncode=2)
                extra[key] = int(raw) or None
            result = importlib.import_module(BENCHES[name]).run(households=int(households), **extra)
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name == "selfcheck":  # --enrollments N over the verify bench's snapshots of --households H
            raw = str(opts.get("enrollments") or "1000000")
            if not raw.isdigit() or int(raw) < 10 or not households.isdigit() or int(households) < 1:
                raise CommandError("selfcheck 基准的 --enrollments 应为至少 10 的整数，--households 应为正整数", returncode=2)
            result = importlib.import_module(BENCHES[name]).run(enrollments=int(raw), households=int(households))
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name == "visits":  # --persons N dispersed 特困 persons (jiuzhu.benchmarks.visits)
            raw = str(persons or "200000")
            if not raw.isdigit() or int(raw) < 100:
                raise CommandError("visits 基准的 --persons 应为至少 100 的整数（特困人员数）", returncode=2)
            result = importlib.import_module(BENCHES[name]).run(persons=int(raw), repeat=3 if repeat == 5 else repeat,
                                                                database_url=opts["database_url"])
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name == "relatives":  # --persons N --relatives M (jiuzhu.benchmarks.relatives)
            raw_p, raw_r = str(persons or "3000000"), str(opts.get("relatives") or "")
            if not raw_p.isdigit() or not raw_r.isdigit() or int(raw_p) < 1000 or int(raw_r) < 100:
                raise CommandError("relatives 基准的 --persons 应为至少 1000、--relatives 至少 100 的整数", returncode=2)
            result = importlib.import_module(BENCHES[name]).run(persons=int(raw_p), relatives=int(raw_r),
                                                                repeat=3 if repeat == 5 else repeat)
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name == "temporary":  # --townships T --draws D (jiuzhu.benchmarks.temporary)
            towns, draws = str(opts.get("townships") or ""), str(opts.get("draws") or "")
            if not towns.isdigit() or not 1 <= int(towns) <= 800:
                raise CommandError("temporary 基准的 --townships 应为 1–800 的整数（乡镇数）", returncode=2)
            if not draws.isdigit() or not 1 <= int(draws) <= 100_000:
                raise CommandError("temporary 基准的 --draws 应为 1–100000 的整数（每镇支出笔数）", returncode=2)
            bench = importlib.import_module(BENCHES[name])
            try:
                result = bench.run(townships=int(towns), draws=int(draws), repeat=3 if repeat == 5 else repeat,
                                   database_url=opts["database_url"])
            except ValueError as exc:  # not a PostgreSQL bench database
                raise CommandError(str(exc), returncode=2) from None
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name == "documents":  # --count N [--processes P] (jiuzhu.benchmarks.documents)
            count, procs = str(opts.get("count") or ""), str(opts.get("processes") or "1")
            if not count.isdigit() or not 1 <= int(count) <= 1_000_000:
                raise CommandError("documents 基准的 --count 应为 1–1000000 的整数", returncode=2)
            if not procs.isdigit() or not 1 <= int(procs) <= 64:
                raise CommandError("--processes 应为 1–64 的整数", returncode=2)
            result = importlib.import_module(BENCHES[name]).run(count=int(count),
                                                                processes=int(opts["processes"] or 0) or None)
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        if name in ("dashboard", "stats"):  # --enrollments N (jiuzhu.benchmarks.dashboard, .stats_return)
            raw = str(opts.get("enrollments") or "")
            if not raw.isdigit() or int(raw) < 1000:
                raise CommandError(f"{name} 基准须用 --enrollments 给出在保对象数（至少 1000 的整数）", returncode=2)
            default_repeat = 50 if name == "dashboard" else 3
            result = importlib.import_module(BENCHES[name]).run(
                enrollments=int(raw), repeat=default_repeat if repeat == 5 else repeat, database_url=opts["database_url"])
            self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
            return
        kwargs = {"repeat": repeat}
        if households.isdigit():
            kwargs["households"] = int(households)
            if kwargs["households"] < 1:
                raise CommandError("--households 必须为正整数", returncode=2)
        elif name != "rules" or not persons:
            raise CommandError("--households 应为正整数；只有 rules 基准可与 --persons 一起给出 Parquet 文件", returncode=2)
        if name in ("rules", "simulate"):
            try:
                kwargs["as_of"] = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of “{as_of}”格式错误，应为 YYYY-MM-DD", returncode=2) from None
            kwargs["policy"] = policy
            if name == "simulate":  # a standard change over N households (jiuzhu.benchmarks.simulate)
                if persons or out or out_single or parquet or opts.get("openfisca_python"):
                    raise CommandError("simulate 基准只接受 --households N、--policy、--as-of、--repeat", returncode=2)
                kwargs["repeat"] = 3 if repeat == 5 else repeat
                result = importlib.import_module(BENCHES[name]).run(**kwargs)
                self.stdout.write(_dumps(result) if json else "\n".join(f"{k}: {v}" for k, v in result.items()))
                return
            kwargs.update(out=out, out_single=out_single, parquet=parquet, openfisca_python=opts.get("openfisca_python"))
            if persons:
                for label, path in (("--persons", persons), ("--households", households)):
                    if not Path(path).exists():
                        raise CommandError(f"{label} 文件不存在：{path}", returncode=2)
                kwargs.update(persons_path=persons, households_path=households)
        elif persons or out_single or parquet:
            raise CommandError("--persons、--out-single、--parquet 只适用于 rules 基准", returncode=2)
        try:
            result = importlib.import_module(BENCHES[name]).run(**kwargs)
        except ValueError as exc:  # rules: unusable Parquet input (missing columns, unknown area type …)
            if name != "rules":
                raise
            raise CommandError(f"输入数据无法使用：{exc}", returncode=2) from None
        if json:
            self.stdout.write(_dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")


def _scale_options(opts) -> dict:
    """--sizes, --memory-limit, --temp-dir, --engine, --gen-workers of the verify and monitor benches."""
    sizes = [x.strip() for x in str(opts.get("sizes") or "").split(",") if x.strip()]
    if not all(x.isdigit() and int(x) > 0 for x in sizes):
        raise CommandError("--sizes 应为逗号分隔的正整数，如 10000,100000,300000,1000000", returncode=2)
    limit = str(opts.get("memory_limit") or "")
    if limit and not (limit[:-2].replace(".", "", 1).isdigit() and limit[-2:].upper() in ("MB", "GB")):
        raise CommandError("--memory-limit 应形如 12GB 或 800MB", returncode=2)
    workers = str(opts.get("gen_workers") or "1")
    if not workers.isdigit() or not 1 <= int(workers) <= 64:
        raise CommandError("--gen-workers 应为 1–64 的整数", returncode=2)
    return {"sizes": [int(x) for x in sizes] or None, "memory_limit": limit or None,
            "temp_directory": opts.get("temp_dir") or None, "engine": opts.get("engine") or "duckdb",
            "workers": int(workers)}


def _api_options(opts) -> dict:
    try:
        think = tuple(float(x) for x in str(opts["think"]).split(","))
        if len(think) == 1:
            think = (think[0], think[0])
        if not (len(think) == 2 and 0 <= think[0] <= think[1]):
            raise ValueError(think)
    except ValueError:
        raise CommandError("--think 应为“最小,最大”秒数，如 1,5", returncode=2) from None
    if opts["cases"] < 100 or opts["users"] < 1 or opts["seconds"] <= 0:
        raise CommandError("--cases 至少 100，--users 至少 1，--seconds 应大于 0", returncode=2)
    return {"cases": opts["cases"], "users": opts["users"], "seconds": opts["seconds"], "warmup": opts["warmup"],
            "think": think, "workers": opts["workers"], "threads": opts["threads"],
            "database_url": opts["database_url"], "rebuild": opts["rebuild"]}


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
