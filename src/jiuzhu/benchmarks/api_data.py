"""Synthetic case history for the `api` bench: regions, users, households and N cases in bulk.

* Regions: the demo county (淳安县) with all 23 of its townships — the 3 demo townships plus 20
  generated ones (1 community + 6 villages each). Users: the demo users plus bench users per
  township (caseworkers, reviewers, village assistants) and county staff.
* Households and persons: ``seed_households`` (valid ID numbers, encrypted), one per 5 cases.
* Cases: every case follows a real path through the transition tables (``rules.workflow.tables``)
  simulated once per *template* (program + sequence of actions): the states, the deadlines each
  action creates / meets / cancels, the denormalized task columns (``engine.refresh_tasks``
  logic), the overdue flag (``jobs.cases_mark_overdue`` logic). Dates are drawn per case on the
  real work calendar (numpy, vectorized) and all rows — cases, events, deadlines, records — are
  written with ``COPY … FROM STDIN (FORMAT csv)`` in id order; initial and long-term notices by
  ``INSERT … SELECT``. Nothing goes through the ORM per row.

Mix: about 94 % of cases are closed (approved ≈ 66 %, closed_ineligible 14 %, rejected 6 %,
withdrawn 5 %, terminated 2.7 %), about 5.8 % open in every state, 0.5 % approved but not yet
filed with the county; 15 % tekun. Open cases are recent (last action 0–2 working days ago, about
7 % of them late enough to be overdue); closed cases are spread over 2021 – last quarter.
"""

from __future__ import annotations

import io
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.models import Case, CaseDeadline, CaseEvent, CaseRecord
from jiuzhu.apps.cases.payloads import clean_payload
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.services import regions_import
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.synthetic.demo import DEMO_COUNTY, DEMO_TOWNSHIPS, demo_load
from jiuzhu.apps.synthetic.seed import seed_households
from jiuzhu.rules.workflow.model import CASEWORKER, COUNTY, REVIEWER, VILLAGE, DeadlineRule
from jiuzhu.rules.workflow.states import CLOSED_STATES
from jiuzhu.rules.workflow.tables import table_for, transition

GENERATOR_VERSION = 4
CASES_PER_HOUSEHOLD = 5
HISTORY_START = date(2021, 1, 4)

# The other 20 townships of 淳安县 (统计用区划代码 330127xxx).
EXTRA_TOWNSHIPS = (
    ("103", "临岐镇"), ("104", "威坪镇"), ("105", "姜家镇"), ("106", "梓桐镇"), ("107", "汾口镇"),
    ("108", "中洲镇"), ("109", "大墅镇"), ("110", "枫树岭镇"), ("200", "里商乡"), ("201", "金峰乡"),
    ("202", "富文乡"), ("203", "左口乡"), ("204", "屏门乡"), ("205", "瑶山乡"), ("206", "王阜乡"),
    ("207", "宋村乡"), ("208", "鸠坑乡"), ("209", "浪川乡"), ("210", "界首乡"), ("211", "安阳乡"),
)
VILLAGE_NAMES = ("上坊村", "下庄村", "东溪村", "西山村", "南塘村", "北岭村")

# Bench users per township / in the county.
PER_TOWNSHIP = {CASEWORKER: 8, REVIEWER: 3, VILLAGE: 3}
COUNTY_STAFF = 40

INTAKE = {"id_checked": True, "authorization_signed": True, "economic_form_signed": True}
SURVEY = {"date": "2026-01-05", "investigators": ["王经办", "陈协理"], "living_conditions": "砖混住房两间，家电简陋",
          "findings": "家庭收入主要靠务农，情况属实"}
MEETING = {"meeting_date": "2026-01-05", "members_present": ["周组长", "吴委员", "郑委员"],
           "opinion": "经审核，符合条件"}
PAYLOADS = {
    "submit": INTAKE,
    "record_verification": {"items": [], "conclusion": "consistent", "note": "与申报一致"},
    "record_survey": SURVEY,
    "initial_review": {"opinion": "grant"},
    "notify_ineligible": {"reason": "家庭人均收入高于当地低保标准"},
    "request_materials": {"missing": ["户口簿复印件", "近三个月收入证明"]},
    "record_objection": {"content": "群众反映该户有经营收入", "objector": "村民", "contact": ""},
    "record_spot_check": {"date": "2026-01-05", "visitors": ["赵县民政"], "findings": "情况属实"},
    "confirm": MEETING,
    "reject": {"meeting_date": "2026-01-05", "members_present": ["周组长", "吴委员", "郑委员"],
               "reasons": ["家庭人均收入高于当地低保标准"]},
    "deliver_denial": {"date": "2026-01-05", "method": "in_person"},
    "withdraw": {"reason": "申请人书面申请撤回"},
    "terminate": {"reason_code": "refused_cooperation", "note": "无正当理由拒绝配合入户调查"},
}
RECORD_KIND = {
    "submit": "intake", "request_verification": "verification_request", "record_verification": "verification",
    "notify_ineligible": "ineligible_notice", "request_materials": "materials_request", "accept": "acceptance",
    "record_survey": "survey", "initial_review": "review", "record_objection": "objection",
    "record_spot_check": "spot_check", "confirm": "confirmation", "reject": "rejection",
    "withdraw": "withdrawal", "terminate": "termination", "deliver_denial": "denial_delivery",
}
ACTOR_ROLE = {"record_verification": COUNTY, "record_spot_check": COUNTY, "confirm": REVIEWER, "reject": REVIEWER}

MAIN = ("submit", "request_verification", "record_verification", "accept", "record_survey", "initial_review",
        "publish_notice", "close_notice", "confirm", "file_record")


def _kinds() -> list[tuple[str, tuple[str, ...], float, dict]]:
    """(name, actions, share of all cases, flags) for each path; shares sum to 1."""
    m = MAIN
    kinds = [
        ("submitted", m[:1], .007, {"recent": True}),
        ("verifying", m[:2], .009, {"recent": True}),
        ("verified", m[:3], .006, {"recent": True}),
        ("awaiting_materials", m[:3] + ("request_materials",), .002, {"recent": True}),
        ("accepted", m[:4], .007, {"recent": True}),
        ("surveyed", m[:5], .006, {"recent": True}),
        ("reviewed", m[:6], .004, {"recent": True}),
        ("in_notice", m[:7], .009, {"recent": True}),
        ("disputed", m[:7] + ("record_objection",), .001, {"recent": True}),
        ("awaiting_confirmation", m[:8], .007, {"recent": True}),
        ("approved_unfiled", m[:9], .005, {"recent": True}),
        ("approved", m, .660, {}),
        ("rejected", m[:5] + ("initial_review", "forward_denial", "reject", "deliver_denial"), .058, {"deny": True}),
        ("rejected_recent", m[:5] + ("initial_review", "forward_denial", "reject"), .002,
         {"deny": True, "recent": True}),
        ("closed_ineligible", m[:3] + ("notify_ineligible",), .140, {"inconsistent": True}),
        ("terminated", m[:3] + ("terminate",), .010, {}),
        ("terminated_late", m[:5] + ("terminate",), .017, {}),
    ]
    withdrawn = [m[:k] + ("withdraw",) for k in range(1, 9)]
    kinds += [(f"withdrawn_{len(a)}", a, .050 / len(withdrawn), {}) for a in withdrawn]
    return kinds


@dataclass
class DL:
    rule: DeadlineRule
    created: int
    ended: int | None = None
    end_status: str | None = None


@dataclass
class Template:
    name: str
    program: str
    actions: tuple[str, ...]
    share: float
    recent: bool
    flags: dict
    states: list = field(default_factory=list)  # (from_state, to_state) per step
    deadlines: list = field(default_factory=list)
    final_state: str = ""
    is_open: bool = True
    closed_at: int | None = None
    filed: bool = False
    spot_check: bool = False
    task_role: str = ""
    overall_step: int | None = None
    review_step: int | None = None

    @property
    def live_non_overall(self) -> list[int]:
        return [i for i, d in enumerate(self.deadlines) if d.ended is None and d.rule.step != "overall"]

    @property
    def closed_clear(self) -> bool:
        return self.final_state in CLOSED_STATES and not self.live_non_overall


def _simulate(t: Template, wf) -> Template:
    """Walk the template through the transition table exactly as engine.perform/finish do."""
    state, live = None, []
    for k, action in enumerate(t.actions):
        row = transition(t.program, wf, state, action)
        if row is None:
            raise RuntimeError(f"bench template {t.name}/{t.program}: no transition {state} --{action}")
        to = row.to_state or state
        closing = to in CLOSED_STATES and row.to_state is not None
        if closing and "*" in row.meets:
            for d in live:
                d.ended, d.end_status = k, CaseDeadline.Status.CANCELLED
            live = []
        else:
            names = [s for s in row.meets if s != "*"]
            for d in [d for d in live if d.rule.step in names]:
                d.ended, d.end_status = k, CaseDeadline.Status.MET
                live.remove(d)
        created = [DL(r, k) for r in row.creates]
        if row.starts_overall:
            created.append(DL(DeadlineRule("overall", wf.overall_limit_wd, "wd", "WF-总时限"), k))
            t.overall_step = k
        t.deadlines += created
        live += created
        if closing:
            t.is_open, t.closed_at = False, k
        if action == "file_record":
            t.filed = True
        if action == "initial_review":
            t.review_step = k
        t.states.append((state or "", to))
        state = to
    t.final_state = state
    # engine.refresh_tasks
    if not t.closed_clear:
        rows = [r for r in table_for(t.program, wf)
                if state in r.from_states and r.action not in ("withdraw", "terminate", "extend")]
        roles = set().union(*(r.roles for r in rows)) if rows else set()
        if state == "approved":
            roles = {CASEWORKER} if not t.filed else set()
        t.task_role = CASEWORKER if CASEWORKER in roles else (sorted(roles)[0] if roles else "")
    return t


def templates() -> list[Template]:
    wf = config.region_config(DEMO_COUNTY).settings
    out = []
    known = {row.action for program in ("dibao", "tekun") for row in table_for(program, wf)}
    for name, actions, share, flags in _kinds():
        actions = tuple(a for a in actions if a in known)  # e.g. deliver_denial, where the table has it
        for program, pshare in (("dibao", .85), ("tekun", .15)):
            variants = [(actions, 1.0, False)]
            if program == "tekun" and "close_notice" in actions:
                # the county spot-checks ≥ 30 % of tekun cases before confirmation (R-TK-10)
                i = actions.index("close_notice") + 1
                variants = [(actions, .7, False),
                            (actions[:i] + ("record_spot_check",) + actions[i:] if len(actions) > i else actions, .3, True)]
            for acts, vshare, spot in variants:
                t = Template(f"{name}/{program}{'/spot' if spot else ''}", program, acts, share * pshare * vshare,
                             bool(flags.get("recent")), flags, spot_check=spot)
                out.append(_simulate(t, wf))
    return out


# ---------------------------------------------------------------------------------------------
# regions, users, households


def _extra_regions_csv() -> str:
    lines = ["区划代码,名称,上级代码"]
    for code, name in EXTRA_TOWNSHIPS:
        township = f"330127{code}000"
        lines.append(f"{township},{name},{DEMO_COUNTY}")
        lines.append(f"330127{code}001,{name[:-1]}社区,{township}")
        for i, village in enumerate(VILLAGE_NAMES):
            lines.append(f"330127{code}{201 + i},{village},{township}")
    return "\n".join(lines) + "\n"


def townships() -> list[str]:
    return list(DEMO_TOWNSHIPS) + [f"330127{code}000" for code, _ in EXTRA_TOWNSHIPS]


def setup_people(*, households: int, seed: int, log) -> None:
    demo_load(households=0)
    if not Region.objects.filter(code=f"330127{EXTRA_TOWNSHIPS[-1][0]}000").exists():
        regions_import(actor=None, text=_extra_regions_csv())
    if not User.objects.filter(username__startswith="bench_").exists():
        unusable = make_password(None)
        users = []
        villages = {}
        for code, in Region.objects.filter(level=5, code__startswith="330127").values_list("code"):
            villages.setdefault(code[:9] + "000", []).append(code)
        for t in townships():
            for role, n in PER_TOWNSHIP.items():
                for k in range(n):
                    region = sorted(villages[t])[k % len(villages[t])] if role == VILLAGE else t
                    users.append(User(username=f"bench_{t[6:9]}_{role.split('_')[-1]}_{k}", role=role,
                                      region_id=region, display_name=f"{role[:8]}{t[6:9]}-{k}", password=unusable))
        for k in range(COUNTY_STAFF):
            users.append(User(username=f"bench_county_{k}", role=Role.COUNTY, region_id=DEMO_COUNTY,
                              display_name=f"县民政{k}", password=unusable))
        User.objects.bulk_create(users, batch_size=1000)
    have = Household.objects.count()
    if have < households:
        started = time.perf_counter()
        log(f"seeding {households - have} households with seed_households …")
        seed_households(households - have, region_code=DEMO_COUNTY, seed=seed + have, progress=False)
        log(f"  households done in {time.perf_counter() - started:.1f} s")


def bench_users() -> dict[str, dict[str, list[tuple[int, str, str]]]]:
    """{township or 'county': {role: [(id, username, region), …]}} for the bench users."""
    out: dict = {}
    for pk, username, role, region in (User.objects.filter(username__startswith="bench_")
                                       .order_by("id").values_list("id", "username", "role", "region_id")):
        key = "county" if role == COUNTY else region[:9] + "000"
        out.setdefault(key, {}).setdefault(role, []).append((pk, username, region))
    return out


# ---------------------------------------------------------------------------------------------
# cases


class _Calendar:
    """Working days as an ordinal array: add_workdays(d, n) == day[idx(d) + n] for working days d."""

    def __init__(self, today: date):
        cal = config.calendar()
        last_year = max(cal.years)
        days, d = [], HISTORY_START - timedelta(days=30)
        while d.year <= last_year:
            if d.year in cal.years and (d in cal.workdays or (d not in cal.holidays and d.weekday() < 5)):
                days.append(d.toordinal())
            d += timedelta(days=1)
        self.ord = np.array(days, dtype=np.int64)
        self.today = today
        self.today_idx = int(np.searchsorted(self.ord, today.toordinal(), side="right") - 1)
        self.start_idx = int(np.searchsorted(self.ord, HISTORY_START.toordinal()))
        self.last_year = last_year

    def at(self, idx):
        if np.any(idx >= len(self.ord)):
            raise RuntimeError(f"工作日历缺少 {self.last_year + 1} 年的节假日安排，无法计算基准数据的期限")
        return self.ord[idx]

    def after_days(self, idx, days: int):
        """Index of the first working day strictly after day[idx] + days."""
        return np.searchsorted(self.ord, self.ord[idx] + days, side="right")


_EPOCH_ORD = date(1970, 1, 1).toordinal()


def _dates(ordinals) -> pa.Array:
    return pa.array((np.asarray(ordinals) - _EPOCH_ORD).astype(np.int32), type=pa.date32())


def _timestamps(ordinals, seconds) -> pa.Array:
    """Local (UTC+8) day + seconds of day → UTC timestamps."""
    us = ((np.asarray(ordinals) - _EPOCH_ORD) * 86400 + np.asarray(seconds) - 8 * 3600) * 1_000_000
    return pa.array(us.astype(np.int64), type=pa.timestamp("us", tz="UTC"))


def _const(value, n, type_=None):
    return pa.array([value] * n if n else [], type=type_ or (pa.string() if isinstance(value, str) else None))


def _copy(cur, table: str, tbl: pa.Table):
    buf = io.BytesIO()
    pacsv.write_csv(tbl, buf, pacsv.WriteOptions(include_header=False, batch_size=65536))
    data = buf.getvalue()
    cols = ", ".join(f'"{c}"' for c in tbl.column_names)
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as cp:
        view = memoryview(data)
        for i in range(0, len(data), 1 << 20):
            cp.write(view[i:i + (1 << 20)])


def _missing_columns(model, given: set[str]) -> dict[str, object]:
    """NOT NULL columns without a database default that the generator does not fill (a field added
    after this bench was written): filled with the model field's default."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND is_nullable = 'NO' AND column_default IS NULL", [table])
        missing = {r[0] for r in cur.fetchall()} - given
    out = {}
    for f in model._meta.concrete_fields:
        if f.column in missing:
            value = f.get_db_prep_save(f.get_default(), connection)
            out[f.column] = json.dumps(value.adapted if hasattr(value, "adapted") else value) \
                if f.get_internal_type() == "JSONField" else value
    return out


def _with_defaults(model, cols: dict) -> pa.Table:
    n = len(next(iter(cols.values())))
    for column, value in _missing_columns(model, set(cols)).items():
        cols[column] = pa.array([value] * n)
    return pa.table(cols)


def generate_cases(n: int, *, seed: int, log) -> dict:
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    cal = _Calendar(today)
    tpls = templates()
    shares = np.array([t.share for t in tpls])
    shares /= shares.sum()
    tpl_of = rng.choice(len(tpls), size=n, p=shares).astype(np.int32)

    hh_rows = list(Household.objects.order_by("id").values_list("id", "head_id", "region_id"))
    hh = np.array([(h, p) for h, p, _ in hh_rows], dtype=np.int64)
    hh_region = np.array([r for _, _, r in hh_rows])
    users = bench_users()
    twp_list = townships()
    twp_index = {t: i for i, t in enumerate(twp_list)}
    hh_twp = np.array([twp_index[r[:9] + "000"] for r in hh_region], dtype=np.int32)
    usernames = dict(User.objects.filter(username__startswith="bench_").values_list("id", "username"))
    role_ids = {}
    for role in (CASEWORKER, REVIEWER, VILLAGE):
        k = PER_TOWNSHIP[role]
        role_ids[role] = np.array([[u[0] for u in users[t][role][:k]] for t in twp_list], dtype=np.int64)
    county_ids = np.array([u[0] for u in users["county"][COUNTY]], dtype=np.int64)
    max_uid = max(usernames)
    name_of = np.array([usernames.get(i, "") for i in range(max_uid + 1)], dtype=object)

    # households: open cases on distinct households (one open case per household and program)
    is_open_tpl = np.array([t.is_open for t in tpls])
    open_mask = is_open_tpl[tpl_of]
    n_open = int(open_mask.sum())
    if n_open > len(hh):
        raise RuntimeError("not enough households for the open cases")
    house = rng.integers(0, len(hh), size=n)
    house[open_mask] = rng.permutation(len(hh))[:n_open]

    # dates per template: W[case, step] working-day index, S[case, step] seconds of day
    per_tpl = {}
    w0 = np.zeros(n, dtype=np.int64)
    s0 = np.zeros(n, dtype=np.int64)
    for ti, t in enumerate(tpls):
        idx = np.nonzero(tpl_of == ti)[0]
        m, steps = len(idx), len(t.actions)
        if not m:
            continue
        gaps = rng.integers(1, 4, size=(m, steps))
        late = rng.random((m, steps)) < .04
        gaps[late] = rng.integers(4, 9, size=int(late.sum()))
        gaps[:, 0] = 0
        extra_notice = rng.integers(0, 2, size=m)
        secs = 30600 + rng.integers(0, 32400, size=(m, steps))

        def walk(start):
            W = np.zeros((m, steps), dtype=np.int64)
            W[:, 0] = start
            for k in range(1, steps):
                if t.actions[k] == "close_notice":
                    W[:, k] = cal.after_days(W[:, k - 1], 7) + extra_notice
                else:
                    W[:, k] = W[:, k - 1] + gaps[:, k]
            return W

        if t.recent:
            lag = np.where(rng.random(m) < .07, rng.integers(4, 26, size=m), rng.integers(0, 3, size=m))
            target = cal.today_idx - lag
            start = target - gaps.sum(axis=1) - (6 if "close_notice" in t.actions else 0)
            for _ in range(4):
                W = walk(start)
                diff = target - W[:, -1]
                if not diff.any():
                    break
                start = start + diff
            W = walk(start)
            over = np.maximum(W[:, -1] - cal.today_idx, 0)
            if over.any():
                W = walk(start - over)
        else:
            span = int(gaps.sum(axis=1).max()) + 12
            W = walk(rng.integers(cal.start_idx, cal.today_idx - span - 20, size=m))
        per_tpl[ti] = (idx, W, secs)
        w0[idx] = W[:, 0]
        s0[idx] = secs[:, 0]

    # case ids in submission order
    order = np.lexsort((s0, w0))
    case_id = np.empty(n, dtype=np.int64)
    case_id[order] = np.arange(1, n + 1)
    n_steps = np.array([len(t.actions) for t in tpls])[tpl_of]
    n_dl = np.array([len(t.deadlines) for t in tpls])[tpl_of]
    n_rec = np.array([sum(a in RECORD_KIND for a in t.actions) for t in tpls])[tpl_of]
    # offsets in id order
    ev_off = np.zeros(n, dtype=np.int64)
    dl_off = np.zeros(n, dtype=np.int64)
    rec_off = np.zeros(n, dtype=np.int64)
    ev_off[order] = np.concatenate(([0], np.cumsum(n_steps[order])[:-1]))
    dl_off[order] = np.concatenate(([0], np.cumsum(n_dl[order])[:-1]))
    rec_off[order] = np.concatenate(([0], np.cumsum(n_rec[order])[:-1]))

    twp = hh_twp[house]
    pick = rng.integers(0, 1 << 30, size=n)
    actor = {
        CASEWORKER: role_ids[CASEWORKER][twp, pick % PER_TOWNSHIP[CASEWORKER]],
        REVIEWER: role_ids[REVIEWER][twp, pick % PER_TOWNSHIP[REVIEWER]],
        VILLAGE: role_ids[VILLAGE][twp, pick % PER_TOWNSHIP[VILLAGE]],
        COUNTY: county_ids[pick % len(county_ids)],
    }
    channel_village = rng.random(n) < .4
    relative = rng.random(n) < .01
    amount_cents = rng.integers(20000, 90000, size=n)
    klass = np.array(["A", "B", "C", "D"])[rng.integers(0, 4, size=n)]

    settings_json = json.dumps(config.settings_snapshot(config.region_config(DEMO_COUNTY).settings), ensure_ascii=False)
    cal_version = config.calendar_version()
    ev_payload = {a: _payload_json(a, PAYLOADS.get(a, {})) for a in {a for t in tpls for a in t.actions}}
    deny_review = _payload_json("initial_review", {"opinion": "deny"})
    ev_reason = {a: next((str(v) for f in ("reason", "override_reason", "note")
                          if (v := json.loads(ev_payload[a]).get(f))), "") for a in ev_payload}

    chunk = 50_000
    totals = {"events": 0, "deadlines": 0, "records": 0}
    with transaction.atomic(), connection.cursor() as django_cur:
        cur = django_cur.cursor
        cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers during the load
        cur.execute("SET LOCAL synchronous_commit = off")
        for lo in range(1, n + 1, chunk):
            hi = min(lo + chunk, n + 1)
            rows = {"case": [], "event": [], "deadline": [], "record": []}
            for ti, (idx_all, W_all, S_all) in per_tpl.items():
                t = tpls[ti]
                sel = (case_id[idx_all] >= lo) & (case_id[idx_all] < hi)
                if not sel.any():
                    continue
                idx, W, S = idx_all[sel], W_all[sel], S_all[sel]
                rows["case"].append(_case_rows(t, idx, W, S, cal, case_id, hh, house, hh_region, actor,
                                               channel_village, relative, amount_cents, klass, settings_json,
                                               cal_version))
                rows["event"].append(_event_rows(t, idx, W, S, cal, case_id, ev_off, actor, channel_village, name_of,
                                                 ev_payload, deny_review, ev_reason))
                rows["deadline"].append(_deadline_rows(t, idx, W, cal, case_id, dl_off, cal_version))
                rows["record"].append(_record_rows(t, idx, case_id, ev_off, rec_off, channel_village,
                                                   amount_cents, klass, ev_payload))
            for key, model in (("case", Case), ("event", CaseEvent), ("deadline", CaseDeadline),
                               ("record", CaseRecord)):
                parts = [p for p in rows[key] if p is not None and p.num_rows]
                if not parts:
                    continue
                tbl = pa.concat_tables(parts)
                tbl = tbl.take(pc.sort_indices(tbl, [("id", "ascending")]))
                _copy(cur, model._meta.db_table, _with_defaults(model, {c: tbl[c] for c in tbl.column_names}))
                if key != "case":
                    totals[key + "s"] += tbl.num_rows
            log(f"  cases {hi - 1}/{n} ({time.perf_counter() - started:.0f} s)")
        _notices(cur)
        totals["task_fixes"], totals["check_diffs"] = _reconcile(tpls, per_tpl, case_id, cal, cur, log)
        for model in (Case, CaseEvent, CaseDeadline, CaseRecord):
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    with connection.cursor() as cur:
        for model in (Case, CaseEvent, CaseDeadline, CaseRecord):
            cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        cur.execute("VACUUM ANALYZE cases_notice")
        cur.execute("ANALYZE")
    totals["seconds"] = round(time.perf_counter() - started, 1)
    totals["open"] = n_open
    return totals


def _payload_json(action: str, raw: dict) -> str:
    """The event payload as the service stores it (the cleaned payload); the raw dict if the payload
    model has changed since this bench was written."""
    try:
        return json.dumps(clean_payload(action, raw).model_dump(mode="json"), ensure_ascii=False)
    except Exception:  # noqa: BLE001 — generation must not depend on every payload detail
        return json.dumps(raw, ensure_ascii=False)


def _reconcile(tpls, per_tpl, case_id, cal, cur, log) -> tuple[int, int]:
    """Check the generated task columns against the platform's own ``engine.refresh_tasks`` on a few
    cases of every template (as of the day of the case's last action). The task role depends on
    guards evaluated by the engine, so when it disagrees the template's cases take the engine's
    value; any other difference (next step, due date, overdue) is reported as a generator bug."""
    import inspect

    from jiuzhu.apps.cases.engine import refresh_tasks

    takes_today = len(inspect.signature(refresh_tasks).parameters) > 1
    fixed = diffs = 0
    for ti, (idx, W, _) in per_tpl.items():
        t = tpls[ti]
        sample = [int(x) for x in case_id[idx[:3]]]
        last_day = {int(cid): date.fromordinal(int(cal.ord[w])) for cid, w in zip(case_id[idx[:3]], W[:3, -1])}
        roles = set()
        for case in Case.objects.filter(pk__in=sample).select_related("household", "applicant"):
            stored = (case.task_role, case.next_step, case.next_due, case.overdue)
            refresh_tasks(case, last_day[case.pk]) if takes_today else refresh_tasks(case)
            roles.add(case.task_role)
            if (case.next_step, case.next_due, case.overdue) != stored[1:]:
                diffs += 1
                log(f"  check {t.name} case {case.pk}: generated {stored[1:]}, engine "
                    f"{(case.next_step, case.next_due, case.overdue)}")
        if len(roles) == 1 and (role := roles.pop()) != t.task_role:
            log(f"  task role of {t.name}: {t.task_role or '—'} → {role or '—'} (engine)")
            cur.execute("UPDATE cases_case SET task_role = %s WHERE id = ANY(%s)", (role, [int(x) for x in case_id[idx]]))
            t.task_role = role
            fixed += len(idx)
    return fixed, diffs


def _case_rows(t, idx, W, S, cal, case_id, hh, house, hh_region, actor, channel_village, relative, amount_cents,
               klass, settings_json, cal_version):
    m = len(idx)
    last = len(t.actions) - 1
    live = t.live_non_overall
    # next_due / next_step: earliest live non-overall deadline; overdue: any live supervised deadline passed
    due = {i: _due(t.deadlines[i], W, cal) for i, d in enumerate(t.deadlines) if d.ended is None}
    overdue = np.zeros(m, dtype=bool)
    for i, d in due.items():
        if t.deadlines[i].rule.supervised:
            overdue |= d < cal.today.toordinal()
    next_due = np.full(m, -1, dtype=np.int64)
    next_step = np.full(m, "", dtype=object)
    if live and not t.closed_clear:
        stack = np.stack([due[i] for i in live])
        arg = np.argmin(stack, axis=0)
        next_due = stack[arg, np.arange(m)]
        next_step = np.array([t.deadlines[i].rule.step for i in live], dtype=object)[arg]
    reviewed = t.review_step is not None
    granted = reviewed and not t.flags.get("deny")
    amount = np.where(granted, amount_cents, 0) / 100
    proposal = np.full(m, "{}", dtype=object)
    if reviewed:
        as_of = _iso(cal.ord[W[:, t.review_step]])
        status = t.program if granted else "ineligible"
        proposal = np.array([json.dumps({"policy": "reference", "as_of": a, "result": {
            "status": status, "class": (k if granted and t.program == "dibao" else None),
            "monthly_amount": f"{v:.2f}", "reasons": [], "recheck_months": 12}}, ensure_ascii=False)
            for a, k, v in zip(as_of, klass[idx], amount[idx])], dtype=object)
    hh_idx = house[idx]
    region = hh_region[hh_idx]
    closed_at = _timestamps(cal.ord[W[:, t.closed_at]], S[:, t.closed_at]) if t.closed_at is not None \
        else pa.nulls(m, type=pa.timestamp("us", tz="UTC"))
    submit_actor = np.where(channel_village[idx], actor[VILLAGE][idx], actor[CASEWORKER][idx])
    nd = pa.array(np.where(next_due >= 0, next_due - _EPOCH_ORD, 0).astype(np.int32), type=pa.date32(),
                  mask=next_due < 0)
    return pa.table({
        "id": case_id[idx], "program": _const(t.program, m),
        "channel": pa.array(np.where(channel_village[idx], "village", "window")),
        "state": _const(t.final_state, m), "is_open": _const(t.is_open, m, pa.bool_()),
        "version": np.full(m, len(t.actions) + 1, dtype=np.int32), "settings": _const(settings_json, m),
        "calendar_version": _const(cal_version, m), "relative_flag": pa.array(relative[idx]),
        "relative_note": pa.array(np.where(relative[idx], "成员与村委会委员系兄弟", "")),
        "overall_started_on": _dates(cal.ord[W[:, t.overall_step]]) if t.overall_step is not None
        else pa.nulls(m, type=pa.date32()),
        "extended": _const(False, m, pa.bool_()), "overdue": pa.array(overdue),
        "task_role": _const(t.task_role, m), "next_step": pa.array(next_step.astype(str)), "next_due": nd,
        "proposal": pa.array(proposal.astype(str)),
        "decided_status": _const((t.program if granted else "ineligible") if reviewed else "", m),
        "decided_class": pa.array(np.where(granted and t.program == "dibao", klass[idx], "")),
        "decided_amount": pa.array([f"{v:.2f}" for v in amount[idx]]) if reviewed else pa.nulls(m, pa.string()),
        "spot_check_sampled": _const(t.spot_check, m, pa.bool_()), "filed": _const(t.filed, m, pa.bool_()),
        "submitted_at": _timestamps(cal.ord[W[:, 0]], S[:, 0]), "closed_at": closed_at,
        "applicant_id": hh[hh_idx, 1], "created_by_id": submit_actor, "household_id": hh[hh_idx, 0],
        "region_id": pa.array(region.astype(str)),
    }) if last >= 0 else None


def _iso(ordinals):
    return [date.fromordinal(int(o)).isoformat() for o in ordinals]


def _due(d: DL, W, cal):
    if d.rule.unit == "days":
        return cal.ord[W[:, d.created]] + d.rule.amount
    return cal.at(W[:, d.created] + d.rule.amount)


def _event_rows(t, idx, W, S, cal, case_id, ev_off, actor, channel_village, name_of, ev_payload, deny_review, ev_reason):
    m = len(idx)
    parts = []
    for k, action in enumerate(t.actions):
        if action == "submit":
            who = np.where(channel_village[idx], actor[VILLAGE][idx], actor[CASEWORKER][idx])
            role = np.where(channel_village[idx], VILLAGE, CASEWORKER)
        else:
            r = ACTOR_ROLE.get(action, CASEWORKER)
            who, role = actor[r][idx], np.full(m, r)
        payload = deny_review if (action == "initial_review" and t.flags.get("deny")) else ev_payload[action]
        if action == "record_verification" and t.flags.get("inconsistent"):
            payload = payload.replace('"consistent"', '"inconsistent"')
        frm, to = t.states[k]
        parts.append(pa.table({
            "id": ev_off[idx] + k + 1, "case_id": case_id[idx], "at": _timestamps(cal.ord[W[:, k]], S[:, k]),
            "action": _const(action, m), "actor_id": who, "actor_name": pa.array(name_of[who].astype(str)),
            "role": pa.array(role.astype(str)), "from_state": _const(frm, m), "to_state": _const(to, m),
            "reason": _const(ev_reason[action], m), "payload": _const(payload, m),
        }))
    return pa.concat_tables(parts)


def _deadline_rows(t, idx, W, cal, case_id, dl_off, cal_version):
    m = len(idx)
    parts = []
    today = cal.today.toordinal()
    for i, d in enumerate(t.deadlines):
        starts = cal.ord[W[:, d.created]]
        due = _due(d, W, cal)
        if d.ended is not None:
            status = _const(d.end_status, m)
            met = _dates(cal.ord[W[:, d.ended]])
        else:
            status = pa.array(np.where((due < today) & d.rule.supervised, "overdue", "open"))
            met = pa.nulls(m, type=pa.date32())
        parts.append(pa.table({
            "id": dl_off[idx] + i + 1, "case_id": case_id[idx], "step": _const(d.rule.step, m),
            "rule_id": _const(d.rule.rule_id, m), "amount": np.full(m, d.rule.amount, dtype=np.int16),
            "unit": _const(d.rule.unit, m), "supervised": _const(d.rule.supervised, m, pa.bool_()),
            "starts_on": _dates(starts), "due": _dates(due), "status": status, "met_on": met,
            "calendar_version": _const(cal_version, m),
        }))
    return pa.concat_tables(parts) if parts else None


def _record_rows(t, idx, case_id, ev_off, rec_off, channel_village, amount_cents, klass, ev_payload):
    m = len(idx)
    parts = []
    j = 0
    for k, action in enumerate(t.actions):
        kind = RECORD_KIND.get(action)
        if kind is None:
            continue
        data = _const(ev_payload[action], m)
        if action == "submit":
            base = json.loads(ev_payload["submit"])
            data = pa.array(np.where(channel_village[idx], json.dumps({**base, "channel": "village"}),
                                     json.dumps({**base, "channel": "window"})))
        elif action == "record_verification" and t.flags.get("inconsistent"):
            data = _const(ev_payload[action].replace('"consistent"', '"inconsistent"'), m)
        elif action == "initial_review":
            grant = not t.flags.get("deny")
            data = pa.array([json.dumps({"opinion": "grant" if grant else "deny",
                                         "amount": f"{(a if grant else 0) / 100:.2f}",
                                         "klass": kk if grant else "", "note": "", "override": False,
                                         "override_reason": "",
                                         "proposed": {"status": t.program if grant else "ineligible",
                                                      "amount": f"{(a if grant else 0) / 100:.2f}",
                                                      "class": kk if grant else "", "reasons": [],
                                                      "policy": "reference"}})
                             for a, kk in zip(amount_cents[idx], klass[idx])])
        elif action == "record_survey" and t.program == "tekun":
            data = _const(json.dumps({**json.loads(ev_payload[action]), "adl_failed": 2, "obligors_able": False},
                                     ensure_ascii=False), m)
        parts.append(pa.table({"id": rec_off[idx] + j + 1, "case_id": case_id[idx], "event_id": ev_off[idx] + k + 1,
                               "kind": _const(kind, m), "data": data}))
        j += 1
    return pa.concat_tables(parts) if parts else None


def _notices(cur):
    """Initial notices for every published case (withdrawn when the case was withdrawn, terminated or a
    new review followed) and long-term notices for approvals, as services._publish / review.confirm_writes."""
    cur.execute("""
        INSERT INTO cases_notice (kind, program, name, household_size, amount, objection_phone, starts_on, ends_on,
                                  withdrawn, case_id, region_id)
        SELECT 'initial', c.program, p.name, CASE WHEN c.program = 'tekun' THEN 1 ELSE h.member_count END,
               COALESCE(c.decided_amount, 0), '12345', (e.at AT TIME ZONE 'Asia/Shanghai')::date,
               (e.at AT TIME ZONE 'Asia/Shanghai')::date + 7, c.state IN ('withdrawn', 'terminated'), c.id, c.region_id
        FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
        JOIN registry_person p ON p.id = c.applicant_id JOIN registry_household h ON h.id = c.household_id
        WHERE e.action = 'publish_notice' ORDER BY c.id""")
    cur.execute("""
        INSERT INTO cases_notice (kind, program, name, household_size, amount, objection_phone, starts_on, ends_on,
                                  withdrawn, case_id, region_id)
        SELECT 'long_term', c.program, p.name, CASE WHEN c.program = 'tekun' THEN 1 ELSE h.member_count END,
               COALESCE(c.decided_amount, 0), '12345', (e.at AT TIME ZONE 'Asia/Shanghai')::date, NULL, false,
               c.id, c.region_id
        FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
        JOIN registry_person p ON p.id = c.applicant_id JOIN registry_household h ON h.id = c.household_id
        WHERE e.action = 'confirm' ORDER BY c.id""")


def build(*, cases: int, seed: int = 2026, log=None) -> dict:
    """Regions, users, households and ``cases`` cases in the (empty or partly built) bench database."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    started = time.perf_counter()
    households = max(200, cases // CASES_PER_HOUSEHOLD)
    setup_people(households=households, seed=seed, log=log)
    people_seconds = time.perf_counter() - started
    log(f"generating {cases} cases …")
    totals = generate_cases(cases, seed=seed, log=log)
    return {"households": households, "people_seconds": round(people_seconds, 1), **totals,
            "built_at": datetime.now().isoformat(timespec="seconds"), "seconds": round(time.perf_counter() - started, 1)}
