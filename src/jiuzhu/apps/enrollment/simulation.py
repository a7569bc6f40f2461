"""Policy simulation (政策测算, issue 17 §5), an extension of the standard-adjustment preview: the same
snapshot reader and columnar rules (:func:`jiuzhu.batch.dibao.evaluate_dibao_pair`) over every registry
household of the region, enrolled or not, under the region's policy without and with the changed
parameters on the start date (:mod:`jiuzhu.batch.simulation`). Reads only: nothing in the database
changes. The rows of the affected households may be kept as a Parquet file (a background job's
result) for the page's list and spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings

from jiuzhu.apps.regions.models import Region
from jiuzhu.batch.dibao import evaluate_dibao_pair
from jiuzhu.batch.engines import duckdb_connection
from jiuzhu.batch.simulation import MOVEMENTS, SIMULATION_SCHEMA, affected, histogram, simulate
from jiuzhu.batch.standard import tekun_amounts
from jiuzhu.rules.errors import DomainError, ValidationFailed
from jiuzhu.rules.params import Policy
from jiuzhu.rules.params.overlay import with_dated_values
from jiuzhu.rules.standard_checks import standard_violations, standard_warnings

from .simulation_params import label, parse_changes, parse_region, parse_start
from .simulation_snapshot import simulation_snapshot, tekun_snapshot
from .standard import region_policy, require_standard_actor

SOURCE = "政策测算（未生效）"
MOVEMENT_WORDS = {"enter": "新纳入", "leave": "退出", "class": "类别变化", "amount": "金额变化", "none": "—"}
EDGE_WORDS = {"in": "新增低保边缘", "out": "不再是低保边缘", "": ""}


@dataclass
class Simulation:
    region: str
    start: date
    changes: dict[str, Decimal]
    rows: pa.Table  # SIMULATION_SCHEMA, every evaluated household
    summary: dict


def _yuan(fen) -> str:
    fen = int(fen or 0)
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def policies(region_code: str, start: date, changes: dict[str, Decimal]) -> tuple[Policy, Policy]:
    """(policy in force, policy with the changes from ``start``) of ``region_code``."""
    before = region_policy(region_code)
    after = with_dated_values(before, {k: [(start, v, SOURCE)] for k, v in changes.items()},
                              name=f"{before.name}+测算")
    return before, after


def parse_input(*, region_code, start_date, changes: dict) -> tuple[str, date, dict[str, Decimal]]:
    region = parse_region(region_code)
    start = parse_start(start_date)
    return region, start, parse_changes(region_policy(region), start, changes)


def run_simulation(*, actor, region_code, start_date, changes: dict, progress=None) -> Simulation:
    """Simulate ``changes`` ({parameter key: new value}) from ``start_date`` over the region's registry
    households. ``actor`` None is the operator at the command line; a user must be county staff of the
    region. Bad input raises ``ValidationFailed`` naming the field; nothing is written."""
    step = progress or (lambda label, done, total: None)
    region, start, parsed = parse_input(region_code=region_code, start_date=start_date, changes=changes)
    require_standard_actor(actor, region)
    before, after = policies(region, start, parsed)
    step("读取登记家庭快照", 0, 4)
    meta, households, persons = simulation_snapshot(region, start)
    step("按现行政策与测算政策计算", 1, 4)
    con = duckdb_connection()
    try:
        old, new = evaluate_dibao_pair(persons, households, before=before, after=after, as_of=start, con=con)
    except DomainError as exc:  # e.g. tier boundaries out of order under the new values
        raise ValidationFailed("simulation.rules", f"按测算参数无法计算：{exc.message}（字段：changes）",
                               field="changes") from None
    step("比对并汇总", 2, 4)
    rows, towns = simulate(meta, old, new)
    summary = summarize(region, start, parsed, before, after, rows, towns)
    summary["tekun"] = tekun_effect(tekun_snapshot(region), before, after, start)
    step("完成", 4, 4)
    return Simulation(region=region, start=start, changes=parsed, rows=rows, summary=summary)


def summarize(region: str, start: date, changes: dict, before: Policy, after: Policy, rows: pa.Table,
              towns: pa.Table) -> dict:
    moved = affected(rows)
    counts = dict(zip(*[c.to_pylist() for c in pc.value_counts(rows["movement"]).flatten()])) if rows.num_rows else {}
    names = dict(Region.objects.filter(code__in=set(towns["township"].to_pylist())).values_list("code", "name"))
    diff = pc.sum(rows["diff_fen"]).as_py() or 0
    town_rows = []
    for t in towns.to_pylist():
        town_rows.append({"township": t["township"], "township_name": names.get(t["township"], ""),
                          **{k: t[k] for k in ("households", "enrolled", "enter", "leave", "klass", "amount",
                                               "edge_in", "edge_out")},
                          "old_month": _yuan(t["old_fen"]), "new_month": _yuan(t["new_fen"]),
                          "diff_month": _yuan(t["diff_fen"]), "diff_year": _yuan(t["diff_fen"] * 12)})
    # a simulation may break a national bound (it is only a simulation), but says so: a proposal would be refused
    warnings = [f"{v.message}（转为标准调整提案时将被拒绝）" for v in standard_violations(after, start)]
    for key in changes:
        if key.startswith("dibao.standard."):
            warnings += [w.as_dict()["message"] for w in standard_warnings(after, key, start)]
    old_total = pc.sum(towns["old_fen"]).as_py() or 0
    return {
        "region": region, "region_name": Region.objects.filter(code=region).values_list("name", flat=True).first(),
        "start": start.isoformat(), "policy": before.name,
        "changes": [{"key": k, "label": label(k), "value": str(v),
                     "previous": str(before.lookup(k, start))} for k, v in changes.items()],
        "households": rows.num_rows,
        "enrolled": int(pc.sum(pc.equal(rows["enrolled"], "dibao")).as_py() or 0) if rows.num_rows else 0,
        "counts": {m: int(counts.get(m, 0)) for m in MOVEMENTS},
        "edge_in": int(pc.sum(pc.equal(rows["edge"], "in")).as_py() or 0) if rows.num_rows else 0,
        "edge_out": int(pc.sum(pc.equal(rows["edge"], "out")).as_py() or 0) if rows.num_rows else 0,
        "affected": moved.num_rows,
        "old_month": _yuan(old_total), "new_month": _yuan(old_total + diff),
        "diff_month": _yuan(diff), "diff_year": _yuan(diff * 12),
        "townships": town_rows,
        "histogram": [{"low": _yuan(b["low"]), "high": _yuan(b["high"]), "count": b["count"]}
                      for b in histogram(moved.filter(pc.not_equal(moved["movement"], "none"))["diff_fen"]
                                         if moved.num_rows else pa.array([], pa.int64()))],
        "warnings": warnings,
        "proposable": [c for c in changes if c.startswith("dibao.standard.")],
    }


def tekun_effect(enrollments: pa.Table, before: Policy, after: Policy, start: date) -> dict:
    """特困 enrollments: basic living + care by self-care level (R-TK-13/14) under both policies on the
    start date (the single-case engine once per area type and level, as the preview); an enrollment's
    current amount identifies its level under the policy in force (``unmatched`` when none or more than
    one level gives it; 渐退期 ones keep their amount)."""
    old, new = tekun_amounts(before, start), tekun_amounts(after, start)
    level_of: dict[tuple[str, int], set] = {}
    for (area, level), fen in old.items():
        level_of.setdefault((area, fen), set()).add(new.get((area, level)))
    changed = unmatched = diff = 0
    for r in enrollments.to_pylist():
        if r["status"] == "graduating":
            continue
        news = level_of.get((r["area_type"], r["amount_fen"]), set())
        if len(news) != 1 or None in news:
            unmatched += 1
            continue
        delta = next(iter(news)) - r["amount_fen"]
        changed += delta != 0
        diff += delta
    return {"enrolled": enrollments.num_rows, "changed": changed, "unmatched": unmatched,
            "diff_month": _yuan(diff), "diff_year": _yuan(diff * 12)}


def simulation_dir(folder: str) -> Path:
    return Path(settings.JIUZHU_FILES_DIR) / "simulation" / folder


def keep_affected(sim: Simulation, folder: str) -> Path:
    """The affected households' rows kept as Parquet (a file under JIUZHU_FILES_DIR, not the database)."""
    path = simulation_dir(folder)
    path.mkdir(parents=True, exist_ok=True)
    target = path / "affected.parquet"
    pq.write_table(affected(sim.rows), target)
    return target


def read_affected(folder: str, *, movement: str = "", township: str = "") -> pa.Table:
    path = simulation_dir(folder) / "affected.parquet"
    if not folder or not path.is_file():
        return SIMULATION_SCHEMA.empty_table()
    rows = pq.read_table(path).cast(SIMULATION_SCHEMA)
    if movement in MOVEMENTS:
        rows = rows.filter(pc.equal(rows["movement"], movement))
    elif movement in ("edge_in", "edge_out"):
        rows = rows.filter(pc.equal(rows["edge"], movement[5:]))
    if township:
        rows = rows.filter(pc.equal(rows["township"], township))
    return rows


def simulation_propose(*, actor, region_code, start_date, changes: dict, source: str) -> list:
    """Turn a simulation into standard proposals (``standard_propose``, one per changed standard), with
    the simulated values and start date; refused (field ``changes``) when it changed no standard."""
    from .standard import standard_propose

    region, start, parsed = parse_input(region_code=region_code, start_date=start_date, changes=changes)
    standards = {k: v for k, v in parsed.items() if k.startswith("dibao.standard.")}
    if not standards:
        raise ValidationFailed("simulation.no_standard", "该测算未调整低保标准，不能转为标准调整提案；其他参数须修改政策文件"
                               "（字段：changes）", field="changes")
    if not (source or "").strip():
        raise ValidationFailed("simulation.source", "出处：必填（文件名称、文号及条款；字段：source）", field="source")
    return [standard_propose(actor=actor, region_code=region, program="dibao", area_type=k.rsplit(".", 1)[1],
                             amount=v, start_date=start, source=source) for k, v in standards.items()]
