"""Columnar preview of a standard adjustment (物价联动, R-STD-01): every live enrollment's amount under
the policy with the new standard, beside its current amount, and totals by township and class.

Pure frame transforms over Arrow, computed in DuckDB through Ibis; money in integer fen.

- dibao household enrollments take the household's result of :func:`.dibao.evaluate_dibao_table`
  (status ``dibao``: amount and class);
- dibao single-person enrollments (单人户施保, ``person_id`` set) take the person's row of its
  single-person table;
- tekun enrollments: the amount is basic living + care by self-care level (R-TK-13, R-TK-14) and
  does not depend on the person's other facts, so the single-case engine is run once per area type
  and care level (:func:`tekun_amounts`); each enrollment's current amount identifies its level
  under the old policy and the new amount of that level is taken.

Each row gets an ``action``: ``adjust`` (new amount or class differs), ``unchanged``, ``keep``
(graduation period: the current amount is kept, R-DM-04) or ``review`` with a ``reason`` — the rules
no longer give this enrollment an amount (``not_eligible``, ``not_single``, ``no_members``), the current
amount differs from what the rules give under the old standard with today's registry facts
(``facts_changed``: a recheck, not a standard adjustment, must settle it), or a tekun amount that
matches no care level (``tekun_unmatched``). Only ``adjust`` rows are applied.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import ibis
import pyarrow as pa

from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.evaluate import evaluate_facts
from jiuzhu.rules.model import AREA_TYPES
from jiuzhu.rules.params import Policy
from jiuzhu.rules.parse import parse_facts
from jiuzhu.rules.terms import terms_for

from .dibao import DibaoTables

ENROLLMENT_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("version", pa.int64()), ("program", pa.string()), ("household_id", pa.int64()),
    ("person_id", pa.int64()), ("village", pa.string()), ("township", pa.string()), ("area_type", pa.string()),
    ("status", pa.string()), ("klass", pa.string()), ("amount_fen", pa.int64()), ("persons", pa.int64()),
    ("head_name", pa.string()),
])
PREVIEW_SCHEMA = pa.schema([
    ("enrollment_id", pa.int64()), ("version", pa.int64()), ("program", pa.string()), ("household_id", pa.int64()),
    ("person_id", pa.int64()), ("village", pa.string()), ("township", pa.string()), ("area_type", pa.string()),
    ("status", pa.string()), ("head_name", pa.string()), ("persons", pa.int64()),
    ("old_class", pa.string()), ("new_class", pa.string()), ("old_fen", pa.int64()), ("new_fen", pa.int64()),
    ("diff_fen", pa.int64()), ("rule_fen", pa.int64()), ("rule_class", pa.string()), ("old_rule_fen", pa.int64()),
    ("action", pa.string()), ("reason", pa.string()),
])
TOTALS_SCHEMA = pa.schema([
    ("township", pa.string()), ("klass", pa.string()), ("count", pa.int64()), ("adjusted", pa.int64()),
    ("review", pa.int64()), ("old_total_fen", pa.int64()), ("new_total_fen", pa.int64()), ("diff_fen", pa.int64()),
])
TEKUN_SCHEMA = pa.schema([("area_type", pa.string()), ("old_fen", pa.int64()), ("new_fen", pa.int64())])
ACTIONS = ("adjust", "unchanged", "keep", "review")


def _tekun_request(area: str, as_of: date, adl_failed: int) -> dict:
    born = date(as_of.year - 80, 1, 1)
    zero = {"wage": "0", "business": "0", "property": "0", "transfer": "0"}
    return {"program": "tekun", "as_of": as_of.isoformat(), "area_type": area,
            "members": [{"id": "t", "birth_date": born.isoformat(), "adl_failed": adl_failed, "income": zero}],
            "assets": {"financial": "0", "vehicles": [], "residential_properties": 0,
                       "business_registered_capital": "0"}, "obligors_able": False}


def tekun_amounts(policy: Policy, as_of: date) -> dict[tuple[str, str], int]:
    """(area type, care level) → monthly tekun amount in fen, from the single-case engine (R-TK-13/14)."""
    out = {}
    for area in AREA_TYPES:
        terms = terms_for(policy, as_of, area)
        for adl in sorted({0, int(terms.tekun_adl_partial_from), int(terms.tekun_adl_full_from)}):
            decision = evaluate_facts(parse_facts(_tekun_request(area, as_of, adl)), policy).decision
            out[(area, decision.care_level)] = int(decision.monthly_amount * 100)
    return out


def tekun_table(old: dict, new: dict) -> pa.Table:
    """Old amount → new amount per area type; an old amount shared by levels whose new amounts differ
    is left out (ambiguous: such enrollments go to review)."""
    pairs: dict[tuple[str, int], set[int]] = {}
    for (area, level), fen in old.items():
        if (area, level) in new:
            pairs.setdefault((area, fen), set()).add(new[(area, level)])
    rows = [(area, fen, news.pop()) for (area, fen), news in sorted(pairs.items()) if len(news) == 1]
    return pa.Table.from_pylist([dict(zip(TEKUN_SCHEMA.names, r)) for r in rows], schema=TEKUN_SCHEMA)


def _results(tables: DibaoTables | None, tag: str):
    if tables is None:
        hh = pa.table({"household_id": pa.array([], pa.int64()), "status": pa.array([], pa.string()),
                       "class": pa.array([], pa.string()), "monthly_amount_fen": pa.array([], pa.int64())})
        single = pa.table({"household_id": pa.array([], pa.int64()), "person_id": pa.array([], pa.int64()),
                           "monthly_amount_fen": pa.array([], pa.int64())})
    else:
        hh, single = tables.households, tables.single_person
    h = ibis.memtable(hh)
    s = ibis.memtable(single)
    h = h.select(household_id=h.household_id, **{f"{tag}_status": h.status, f"{tag}_class": h["class"],
                                                 f"{tag}_fen": h.monthly_amount_fen})
    s = s.select(s_hid=s.household_id, s_pid=s.person_id, **{f"{tag}_single_fen": s.monthly_amount_fen})
    return h, s


def preview_expr(enrollments: pa.Table, new: DibaoTables, old: DibaoTables | None, tekun: pa.Table):
    """The Ibis expression of the preview rows (:data:`PREVIEW_SCHEMA`), ordered by enrollment id."""
    e = ibis.memtable(enrollments.cast(ENROLLMENT_SCHEMA))
    nh, ns = _results(new, "n")
    oh, os_ = _results(old, "o")
    t = ibis.memtable(tekun.cast(TEKUN_SCHEMA))
    j = e.left_join(nh, "household_id").drop("household_id_right")
    j = j.left_join(oh, "household_id").drop("household_id_right")
    j = j.left_join(ns, (j.household_id == ns.s_hid) & (j.person_id == ns.s_pid)).drop("s_hid", "s_pid")
    j = j.left_join(os_, (j.household_id == os_.s_hid) & (j.person_id == os_.s_pid)).drop("s_hid", "s_pid")
    j = j.left_join(t, (j.area_type == t.area_type) & (j.amount_fen == t.old_fen)).drop("area_type_right")

    tekun, single = j.program == "tekun", j.person_id.notnull()
    rule_fen = ibis.cases(
        (tekun, j.new_fen),
        (single, j.n_single_fen),
        (j.n_status == "dibao", j.n_fen),
        else_=ibis.null("int64"),
    )
    old_rule = ibis.cases(
        (tekun, j.old_fen),
        (single, j.o_single_fen),
        (j.o_status == "dibao", j.o_fen),
        else_=ibis.null("int64"),
    )
    rule_class = (tekun | single).ifelse(j.klass, j.n_class.fill_null(j.klass))
    missing = ibis.cases(
        (tekun, "tekun_unmatched"),
        (single, "not_single"),
        (j.n_status.isnull(), "no_members"),
        else_="not_eligible",
    )
    # without the old standard's results (no policy in force the day before) drift cannot be checked
    drift = (~tekun & (old_rule.isnull() | (old_rule != j.amount_fen))) if old is not None else ibis.literal(False)
    action = ibis.cases(
        (j.status == "graduating", "keep"),
        (rule_fen.isnull(), "review"),
        (drift, "review"),
        ((rule_fen == j.amount_fen) & (rule_class == j.klass), "unchanged"),
        else_="adjust",
    )
    reason = ibis.cases(
        (j.status == "graduating", "graduating"),
        (rule_fen.isnull(), missing),
        (drift, "facts_changed"),
        else_="",
    )
    u = j.mutate(rule_fen=rule_fen, old_rule_fen=old_rule, rule_class=rule_class, action=action, reason=reason)
    adjust = u.action == "adjust"
    new_fen = adjust.ifelse(u.rule_fen, u.amount_fen)
    return u.select(
        "enrollment_id", "version", "program", "household_id", "person_id", "village", "township", "area_type",
        "status", "head_name", "persons",
        old_class=u.klass, new_class=adjust.ifelse(u.rule_class, u.klass), old_fen=u.amount_fen, new_fen=new_fen,
        diff_fen=new_fen - u.amount_fen, rule_fen=u.rule_fen, rule_class=u.rule_class, old_rule_fen=u.old_rule_fen,
        action=u.action,
        reason=u.reason,
    ).order_by("enrollment_id")


def totals_expr(preview):
    """Totals by township and class (the class after the adjustment), with a count of adjusted rows."""
    p = preview
    return p.group_by(township=p.township, klass=p.new_class).aggregate(
        count=p.enrollment_id.count().cast("int64"),
        adjusted=(p.action == "adjust").ifelse(1, 0).sum().cast("int64"),
        review=(p.action == "review").ifelse(1, 0).sum().cast("int64"),
        old_total_fen=p.old_fen.sum().cast("int64"),
        new_total_fen=p.new_fen.sum().cast("int64"),
        diff_fen=p.diff_fen.sum().cast("int64"),
    ).order_by(["township", "klass"])


def preview_tables(con, enrollments: pa.Table, new: DibaoTables, old: DibaoTables | None,
                   tekun: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(preview rows, totals) executed on the Ibis backend ``con``."""
    preview = con.to_pyarrow(preview_expr(enrollments, new, old, tekun)).cast(PREVIEW_SCHEMA)
    totals = con.to_pyarrow(totals_expr(ibis.memtable(preview))).cast(TOTALS_SCHEMA)
    return preview, totals


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def fen_to_yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


def old_amounts_available(policy: Policy, as_of: date) -> bool:
    """Whether the rules can run on ``as_of`` (the day before the new standard) under ``policy``."""
    try:
        for area in AREA_TYPES:
            terms_for(policy, as_of, area)
    except DomainError:
        return False
    return True
