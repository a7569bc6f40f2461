"""Policy simulation (政策测算, issue 17 §5): every registry household of a region evaluated under the
policy without and with a change (a standard, tier boundaries or amounts, the class add-on, the edge
multiplier, the income disregards — any dated parameter) on the same day, so every difference is the
change's; compared with what the household is enrolled in. Pure frame transforms over Arrow in DuckDB
through Ibis, money in integer fen; nothing is written anywhere.

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

import ibis
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


def _decided(tables: DibaoTables, tag: str):
    h = ibis.memtable(tables.households)
    return h.select(household_id=h.household_id, **{f"{tag}_status": h.status, f"{tag}_class": h["class"],
                                                    f"{tag}_fen": h.monthly_amount_fen})


def simulation_expr(meta: pa.Table, old: DibaoTables, new: DibaoTables):
    """The Ibis expression of the simulation rows (:data:`SIMULATION_SCHEMA`, unordered): ``meta``
    (:data:`META_SCHEMA`) of every evaluated household joined with its decision under the old and the
    new policy."""
    m = ibis.memtable(meta.cast(META_SCHEMA))
    j = m.join(_decided(old, "o"), "household_id").join(_decided(new, "n"), "household_id")
    o_dibao, n_dibao = j.o_status == "dibao", j.n_status == "dibao"
    old_fen = o_dibao.ifelse(j.o_fen, 0)
    new_fen = n_dibao.ifelse(j.n_fen, 0)
    transition = ibis.cases(
        (~o_dibao & n_dibao, "enter"),
        (o_dibao & ~n_dibao, "leave"),
        (o_dibao & n_dibao & (j.o_class != j.n_class), "class"),
        (o_dibao & n_dibao & (j.o_fen != j.n_fen), "amount"),
        else_="none",
    )
    enrolled = j.enrolled == ENROLLED_DIBAO
    still = (j.enrolled == ENROLLED_OTHER) | (enrolled & (j.enrollment_status == "graduating"))
    movement = ibis.cases(
        (still, "none"),
        (enrolled & (transition == "enter"), "amount"),
        (enrolled, transition),
        (transition == "enter", "enter"),
        else_="none",
    )
    u = j.mutate(old_fen=old_fen, new_fen=new_fen, transition=transition, movement=movement,
                 counted=~still & (enrolled | (transition == "enter")))
    edge = ibis.cases(
        (u.enrolled == ENROLLED_OTHER, ""),
        ((u.o_status != "edge") & (u.n_status == "edge"), "in"),
        ((u.o_status == "edge") & (u.n_status != "edge"), "out"),
        else_="",
    )
    return u.select(
        "household_id", "village", "township", "area_type", "head_name", "persons", "enrolled", "current_fen",
        old_status=u.o_status, new_status=u.n_status, old_class=u.o_class.fill_null(""),
        new_class=u.n_class.fill_null(""), old_fen=u.old_fen.cast("int64"), new_fen=u.new_fen.cast("int64"),
        diff_fen=u.counted.ifelse(u.new_fen - u.old_fen, 0).cast("int64"), transition=u.transition,
        movement=u.movement, edge=edge,
    )


def township_expr(rows):
    """Totals by township: households evaluated and enrolled, movements, edge changes and the monthly
    amounts (old and new rules) of the counted households."""
    r = rows

    def n(cond):
        return cond.ifelse(1, 0).sum().cast("int64")

    counted = (r.enrolled == ENROLLED_DIBAO) | (r.movement == "enter")
    return r.group_by("township").aggregate(
        households=r.household_id.count().cast("int64"), enrolled=n(r.enrolled == ENROLLED_DIBAO),
        enter=n(r.movement == "enter"), leave=n(r.movement == "leave"), klass=n(r.movement == "class"),
        amount=n(r.movement == "amount"), edge_in=n(r.edge == "in"), edge_out=n(r.edge == "out"),
        old_fen=counted.ifelse(r.old_fen, 0).sum().cast("int64"),
        new_fen=counted.ifelse(r.new_fen, 0).sum().cast("int64"), diff_fen=r.diff_fen.sum().cast("int64"),
    ).order_by("township")


def simulate(con, meta: pa.Table, old: DibaoTables, new: DibaoTables) -> tuple[pa.Table, pa.Table]:
    """(rows, township totals) on the Ibis backend ``con``."""
    rows = con.to_pyarrow(simulation_expr(meta, old, new)).cast(SIMULATION_SCHEMA)
    towns = con.to_pyarrow(township_expr(ibis.memtable(rows))).cast(TOWNSHIP_SCHEMA)
    return rows, towns


def affected(rows: pa.Table) -> pa.Table:
    """The households the change moves (or moves into / out of the edge population), by township,
    village and household."""
    if not rows.num_rows:
        return rows
    moved = rows.filter(pc.or_(pc.not_equal(rows["movement"], "none"), pc.not_equal(rows["edge"], "")))
    return moved.sort_by([("township", "ascending"), ("village", "ascending"), ("household_id", "ascending")])


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
