"""`jiuzhu data ingest | sources | generate`: department data for verification (核对)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.verification.ingest import data_ingest
from jiuzhu.apps.verification.population import registry_population
from jiuzhu.apps.verification.selectors import sources_overview
from jiuzhu.batch.datasets import DATASETS
from jiuzhu.batch.ingest import csv_bytes
from jiuzhu.batch.synthetic_departments import department_file
from jiuzhu.batch.synthetic_population import concat, synthetic_population
from jiuzhu.core.spreadsheets import xlsx_workbook

from ._bars import Bars, user_named
from ._base import JiuzhuCommand

PERSONS_PER_HOUSEHOLD = 3  # members and obligors


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} “{value}”格式错误，应为 YYYY-MM-DD", returncode=2) from None


class _Operator:
    """The CLI operator when no --user is given: reads as county-level, acts as the system."""

    role, region_id, is_active, is_authenticated, pk, username = "county_staff", "", True, True, None, "system"


class Command(JiuzhuCommand):
    help = ("核对用部门数据：ingest 导入文件为快照（先检查列，坏行退回并说明原因）；sources 查看各来源的最新快照；"
            "generate 生成合成数据文件")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("ingest", help="导入部门数据文件（CSV、Parquet 或 xlsx）为某日的快照")
        p.add_argument("source", help="数据来源代码：" + "、".join(f"{d.code}({d.name})" for d in DATASETS.values()))
        p.add_argument("file")
        p.add_argument("--as-of", required=True, help="数据日期 YYYY-MM-DD")
        p.add_argument("--user", help="操作人用户名（县民政或管理员；不填则为系统操作员）")
        p.add_argument("--json", action="store_true")
        p.add_argument("--no-progress", action="store_true")
        p = sub.add_parser("sources", help="各数据来源：最新快照日期、行数、退回行数")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("generate", help="生成合成的部门数据文件（扩展名决定格式：.csv/.parquet/.xlsx）")
        p.add_argument("source", help="数据来源代码，或 all（此时 OUT 为目录，每个来源一个 CSV）")
        p.add_argument("out")
        p.add_argument("--households", type=int, required=True, help="户数 N（约 3N 人，另加同样多的非本地人员）")
        p.add_argument("--as-of", default=None, help="数据日期（默认今天）")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--registry", action="store_true", help="人员取自已登记的前 N 户（成员和义务人），便于与案件匹配")
        p.add_argument("--bad-share", type=float, default=0.005, help="坏行比例（默认 0.005）")
        p.add_argument("--invalid-id-share", type=float, default=0.005, help="身份证号无效行比例（默认 0.005）")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _ingest(self, *, source, file, as_of, user, json, no_progress, **_):
        day = _date(as_of, "--as-of")
        with Bars(not no_progress) as bars:
            result = data_ingest(actor=user_named(user), source=source, path=Path(file), as_of=day,
                                 now=timezone.now(), progress=bars)
        snap = result.snapshot
        if json:
            self.emit_json({"snapshot": snap.pk, "source": source, "as_of": day.isoformat(), "rows": result.rows,
                            "rejects": result.rejects, "already": result.already, "path": snap.path,
                            "rejects_path": snap.rejects_path, "seconds": round(result.seconds, 3)})
            return
        name = DATASETS[source].name
        if result.already:
            self.stdout.write(f"{name} {day.isoformat()} 的这个文件此前已导入（快照 {snap.pk}），本次未作改动")
            return
        self.stdout.write(f"已导入 {name} {day.isoformat()}：{result.rows} 行入库，退回 {result.rejects} 行"
                          f"（快照 {snap.pk}，用时 {result.seconds:.1f} 秒）")
        if result.rejects:
            self.stdout.write(f"退回行及原因：{snap.rejects_path}（在文件目录下）")

    def _sources(self, *, json, **_):
        rows = sources_overview(actor=_Operator(), today=timezone.localdate())
        if json:
            self.emit_json([{"code": r["code"], "name": r["name"], "department": r["department"],
                             "as_of": r["latest"].as_of.isoformat() if r["latest"] else None,
                             "rows": r["latest"].rows if r["latest"] else 0,
                             "rejects": r["latest"].rejects if r["latest"] else 0, "snapshots": r["count"],
                             "age_days": r["age_days"], "stale": r["stale"]} for r in rows])
            return
        self.stdout.write("代码\t名称\t最新数据日期\t行数\t退回\t快照数\t状态")
        for r in rows:
            latest = r["latest"]
            state = "无数据" if latest is None else ("已过期" if r["stale"] else "正常")
            self.stdout.write(f"{r['code']}\t{r['name']}\t{latest.as_of if latest else '—'}\t"
                              f"{latest.rows if latest else 0}\t{latest.rejects if latest else 0}\t{r['count']}\t{state}")

    def _generate(self, *, source, out, households, as_of, seed, registry, bad_share, invalid_id_share, **_):
        if households < 1:
            raise CommandError("--households 必须为正整数", returncode=2)
        if source != "all" and source not in DATASETS:
            raise CommandError(f"未知的数据来源“{source}”，可选：all、" + "、".join(DATASETS), returncode=2)
        day = _date(as_of, "--as-of") if as_of else timezone.localdate()
        if registry:
            local = registry_population(households, as_of=day, seed=seed)
            if not len(local):
                raise CommandError("登记库中没有家庭（--registry）", returncode=2)
        else:
            local = synthetic_population(households * PERSONS_PER_HOUSEHOLD, as_of=day, seed=seed)
        others = synthetic_population(max(len(local), 1), as_of=day, seed=seed + 1, offset=10_000_000)
        population = concat([local, others])
        codes = sorted(DATASETS) if source == "all" else [source]
        out = Path(out)
        with Bars(True) as bars:
            for i, code in enumerate(codes):
                bars("生成", i, len(codes))
                table = department_file(code, population, as_of=day, seed=seed, bad_share=bad_share,
                                        invalid_id_share=invalid_id_share)
                target = out / f"{code}.csv" if source == "all" else out
                _write(table, target)
                self.stdout.write(f"{DATASETS[code].name}：{table.num_rows} 行 → {target}")
            bars("生成", len(codes), len(codes))


def _write(table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        pq.write_table(table, path)
    elif suffix == ".xlsx":
        book = xlsx_workbook(path, {"constant_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, table.column_names)
        for r, row in enumerate(zip(*(c.to_pylist() for c in table.columns)), start=1):
            sheet.write_row(r, 0, ["" if v is None else v for v in row])
        book.close()
    elif suffix in (".csv", ".txt", ""):
        path.write_bytes(csv_bytes(table))
    else:
        raise CommandError(f"不支持的输出格式“{suffix}”：请用 .csv、.parquet 或 .xlsx", returncode=2)
