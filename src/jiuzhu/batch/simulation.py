"""Policy simulation (政策测算, issue 17 §5): every registry household of a region evaluated under the
policy without and with a change (a standard, tier boundaries or amounts, the class add-on, the edge
multiplier, the income disregards — any dated parameter) on the same day, so every difference is the
change's; compared with what the household is enrolled in. The two evaluations are the columnar rules
(:func:`.dibao.evaluate_dibao_table`, Ibis over DuckDB); the comparison is vectorised Arrow compute
over the aligned decisions (one row per household by id, no join). Money in integer fen; nothing is
written anywhere.

Per household (``SIMULATION_SCHEMA``) the rules' ``transition`` is ``enter`` (not dibao before, dibao
after), ``leave`` (the reverse), ``class`` (dibao both, class differs), ``amount`` (dibao both, same
class, amount differs) or ``none``; ``movement`` is what the simulation reports for the household:

- a household with a live dibao household enrollment takes its transition (``enter`` becomes ``amount``:
  it is paid already; the registry facts no longer match its enrollment);
- a registry household not enrolled counts only when it would ``enter``;
- households enrolled otherwise (单人户施保 or 特困 only) and households in a graduation period
  (渐退期: the current amount continues, R-DM-04) are not moved (``none``).

``diff_fen`` (new − old rules amount) counts for moved households and enrolled ones; ``edge`` marks a
household that becomes (``in``) or stops being (``out``) a 低保边缘 household.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .dibao import DibaoTables

META_SCHEMA = pa.schema([
    ("household_id", pa.int64()), ("village", pa.string()), ("township", pa.string()), ("area_type", pa.string()),
    ("head_name", pa.string()), ("persons", pa.int64()), ("enrolled", pa.string()),
    ("enrollment_status", pa.string()), ("current_class", pa.string()), ("current_fen", pa.int64()),
])
SIMULATION_SCHEMA = pa.schema([
    ("household_id", pa.int64()), ("village", pa.string()), ("township", pa.string()), ("area_type", pa.string()),
    ("head_name", pa.string()), ("persons", pa.int64()), ("enrolled", pa.string()),
    ("current_fen", pa.int64()), ("old_status", pa.string()), ("new_status", pa.string()),
    ("old_class", pa.string()), ("new_class", pa.string()), ("old_fen", pa.int64()), ("new_fen", pa.int64()),
    ("diff_fen", pa.int64()), ("transition", pa.string()), ("movement", pa.string()), ("edge", pa.string()),
])
TOWNSHIP_SCHEMA = pa.schema([
    ("township", pa.string()), ("households", pa.int64()), ("enrolled", pa.int64()), ("enter", pa.int64()),
    ("leave", pa.int64()), ("klass", pa.int64()), ("amount", pa.int64()), ("edge_in", pa.int64()),
    ("edge_out", pa.int64()), ("old_fen", pa.int64()), ("new_fen", pa.int64()), ("diff_fen", pa.int64()),
])
MOVEMENTS = ("enter", "leave", "class", "amount")
ENROLLED_DIBAO, ENROLLED_OTHER = "dibao", "other"


def _aligned(meta: pa.Table, tables: DibaoTables) -> pa.Table:
    """The household decisions in ``meta``'s row order (both are by household id; checked)."""
    h = tables.households
    if not h["household_id"].equals(meta["household_id"]):
        raise ValueError("simulation: the decisions do not cover the same households as the caseload")
    return h


def _count(mask) -> pa.Array:
    return pc.cast(mask, pa.int64())


def simulate_rows(meta: pa.Table, old: DibaoTables, new: DibaoTables) -> pa.Table:
    """The simulation rows (:data:`SIMULATION_SCHEMA`, by household id): ``meta`` (:data:`META_SCHEMA`)
    of every evaluated household beside its decision under the old and the new policy. Vectorised
    Arrow compute over aligned columns (no join: both decisions come back one row per household by id)."""
    meta = meta.cast(META_SCHEMA)
    if not meta["household_id"].equals(old.households["household_id"]):
        meta = meta.take(pc.sort_indices(meta["household_id"]))
    o, n = _aligned(meta, old), _aligned(meta, new)
    o_status, n_status = o["status"], n["status"]
    o_dibao, n_dibao = pc.equal(o_status, "dibao"), pc.equal(n_status, "dibao")
    o_class, n_class = pc.fill_null(o["class"], ""), pc.fill_null(n["class"], "")
    zero = pa.scalar(0, pa.int64())
    old_fen = pc.if_else(o_dibao, o["monthly_amount_fen"], zero)
    new_fen = pc.if_else(n_dibao, n["monthly_amount_fen"], zero)
    enter = pc.and_(pc.invert(o_dibao), n_dibao)
    both = pc.and_(o_dibao, n_dibao)
    transition = pc.case_when(
        pc.make_struct(enter, pc.and_(o_dibao, pc.invert(n_dibao)), pc.and_(both, pc.not_equal(o_class, n_class)),
                       pc.and_(both, pc.not_equal(old_fen, new_fen))),
        "enter", "leave", "class", "amount", "none")
    enrolled = pc.equal(meta["enrolled"], ENROLLED_DIBAO)
    other = pc.equal(meta["enrolled"], ENROLLED_OTHER)
    still = pc.or_(other, pc.and_(enrolled, pc.equal(meta["enrollment_status"], "graduating")))
    movement = pc.case_when(
        pc.make_struct(still, pc.and_(enrolled, enter), enrolled, enter),
        "none", "amount", transition, "enter", "none")
    counted = pc.and_(pc.invert(still), pc.or_(enrolled, enter))
    o_edge, n_edge = pc.equal(o_status, "edge"), pc.equal(n_status, "edge")
    edge = pc.case_when(
        pc.make_struct(other, pc.and_(pc.invert(o_edge), n_edge), pc.and_(o_edge, pc.invert(n_edge))),
        "", "in", "out", "")
    columns = {name: meta[name] for name in ("household_id", "village", "township", "area_type", "head_name",
                                              "persons", "enrolled", "current_fen")}
    columns.update(old_status=o_status, new_status=n_status, old_class=o_class, new_class=n_class, old_fen=old_fen,
                   new_fen=new_fen, diff_fen=pc.if_else(counted, pc.subtract(new_fen, old_fen), zero),
                   transition=transition, movement=movement, edge=edge)
    return pa.table(columns).cast(SIMULATION_SCHEMA)


def township_totals(rows: pa.Table) -> pa.Table:
    """Totals by township: households evaluated and enrolled, movements, edge changes and the monthly
    amounts (old and new rules) of the counted households (enrolled, or entering)."""
    zero = pa.scalar(0, pa.int64())
    enrolled = pc.equal(rows["enrolled"], ENROLLED_DIBAO)
    counted = pc.or_(enrolled, pc.equal(rows["movement"], "enter"))
    t = pa.table({
        "township": rows["township"], "households": pa.array(np.ones(rows.num_rows, dtype=np.int64)),
        "enrolled": _count(enrolled), "enter": _count(pc.equal(rows["movement"], "enter")),
        "leave": _count(pc.equal(rows["movement"], "leave")), "klass": _count(pc.equal(rows["movement"], "class")),
        "amount": _count(pc.equal(rows["movement"], "amount")), "edge_in": _count(pc.equal(rows["edge"], "in")),
        "edge_out": _count(pc.equal(rows["edge"], "out")),
        "old_fen": pc.if_else(counted, rows["old_fen"], zero), "new_fen": pc.if_else(counted, rows["new_fen"], zero),
        "diff_fen": rows["diff_fen"],
    })
    names = [c for c in TOWNSHIP_SCHEMA.names if c != "township"]
    out = t.group_by("township").aggregate([(c, "sum") for c in names])
    out = out.rename_columns([c[:-4] if c.endswith("_sum") else c for c in out.column_names])
    return out.select(TOWNSHIP_SCHEMA.names).sort_by("township").cast(TOWNSHIP_SCHEMA)


def simulate(meta: pa.Table, old: DibaoTables, new: DibaoTables) -> tuple[pa.Table, pa.Table]:
    """(rows, township totals)."""
    rows = simulate_rows(meta, old, new)
    return rows, township_totals(rows)


def affected(rows: pa.Table) -> pa.Table:
    """The households the change moves (or moves into / out of the edge population), by household id."""
    if not rows.num_rows:
        return rows
    return rows.filter(pc.or_(pc.not_equal(rows["movement"], "none"), pc.not_equal(rows["edge"], "")))


def _nice_step(span: int, bins: int) -> int:
    raw = max(span // bins, 1)
    magnitude = 10 ** (len(str(raw)) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def histogram(diff_fen: pa.Array | pa.ChunkedArray, *, bins: int = 20) -> list[dict]:
    """Counts of the monthly differences (fen) in about ``bins`` equal bins of a round width in yuan:
    [{"low": fen, "high": fen, "count": n}], ``low`` inclusive and ``high`` exclusive."""
    if not len(diff_fen):
        return []
    lo, hi = pc.min(diff_fen).as_py(), pc.max(diff_fen).as_py()
    step = _nice_step(max(hi - lo, 1), bins) if hi > lo else 100
    step = max(step - step % 100, 100)  # whole yuan
    start = lo // step * step
    index = pc.cast(pc.divide(pc.subtract(diff_fen, start), step), pa.int64())  # integer division: floors
    counted = pc.value_counts(index)
    counts = dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist()))
    last = max(counts)
    return [{"low": start + i * step, "high": start + (i + 1) * step, "count": int(counts.get(i, 0))}
            for i in range(last + 1)]
