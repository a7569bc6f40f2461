"""`jiuzhu bench api`: case page, my tasks and actions under 200 concurrent users on PostgreSQL.

Target (issue): p95 server time ≤ 100 ms for the case page and the my-tasks list, ≤ 50 ms per
action, with 1 000 000 cases and 200 concurrent users.

1. Data — in its own database (``api_db``: ``jiuzhu_bench`` by default, never the developer's or
   the test database): migrated, then the demo county, users, households (``seed_households``) and
   N cases with their events, deadlines, records and notices built in bulk (``api_data``). A
   database that already holds the same N cases from the same generator is reused.
2. Load — a real gunicorn server (gthread, like ``jiuzhu serve``) serving the platform wrapped by
   ``api_wsgi`` (``Server-Timing`` header = time inside Django), driven by simulated users on
   threads in this process (``api_load``). The first ``warmup`` seconds are not measured.
3. Baseline — in this process, after the load: my tasks computed the naive way (for every case
   in the caseworker's scope that may still need work, ``allowed_actions`` plus its deadlines, one
   case at a time, then sorted) versus ``selectors.my_tasks`` (denormalized task columns + index).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

import numpy as np
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from jiuzhu import gunicorn_conf
from jiuzhu.apps.accounts.models import ApiToken, User
from jiuzhu.apps.accounts.tokens import token_create
from jiuzhu.apps.cases.models import Case, CaseDeadline
from jiuzhu.apps.cases.selectors import allowed_actions, my_tasks
from jiuzhu.apps.regions.scope import scope_filter

from . import api_data, api_db, api_load
from .common import peak_rss_mb

TARGETS_MS = {"case_page": 100.0, "my_tasks": 100.0, "action": 50.0}
ROLE_SHARE = (("township_caseworker", .55), ("township_reviewer", .15), ("village_assistant", .15),
              ("county_staff", .15))
GENERIC = ("withdraw", "terminate", "extend")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def check_database_url(url: str | None) -> None:
    """ValueError unless the bench database URL is PostgreSQL and names a ``jiuzhu_bench*`` or ``*_bench`` database."""
    api_db.parse(api_db.bench_url(url))


def run(*, cases: int = 1_000_000, users: int = 200, seconds: float = 60.0, warmup: float | None = None,
        think: tuple[float, float] = (1.0, 5.0), workers: int | None = None, threads: int | None = None,
        database_url: str | None = None, seed: int = 2026, rebuild: bool = False, baseline_cases: int = 5000,
        log=_log) -> dict:
    url = api_db.bench_url(database_url)
    cfg = api_db.parse(url)
    data_note = _prepare(cfg, cases=cases, seed=seed, rebuild=rebuild, log=log)
    today = timezone.localdate()
    cpus = os.cpu_count() or 2
    workers = workers or gunicorn_conf.DEFAULT_WORKERS  # the served defaults (measured there)
    threads = threads or gunicorn_conf.DEFAULT_THREADS
    max_conn, in_use = api_db.connection_budget()
    budget = max_conn - in_use - 10
    notes = []
    if workers * threads > budget:
        threads = max(1, budget // workers)
        notes.append(f"threads reduced to {threads} to stay below max_connections={max_conn} ({in_use} in use)")
    sim, pools = _sim_users(users, seed=seed, log=log)
    warmup = warmup if warmup is not None else min(15.0, max(1.0, seconds / 4))
    log(f"load: {len(sim)} users, gunicorn {workers} workers × {threads} threads, {warmup:.0f} s warm-up + "
        f"{seconds:.0f} s measured, think {think[0]}–{think[1]} s")
    loadavg = os.getloadavg()
    log_path = os.path.join(tempfile.gettempdir(), f"jiuzhu-bench-api-{os.getpid()}.log")
    proc, port = api_load.start_server(database_url=url, workers=workers, threads=threads, log_path=log_path)
    try:
        window, errors, info = api_load.run_users(sim, host="127.0.0.1", port=port, pools=pools, seconds=seconds,
                                                  warmup=warmup, think=think, seed=seed, today=today,
                                                  sample=api_db.connections_now,
                                                  cpu_groups={"server": lambda: api_load.server_pids(proc),
                                                              "postgres": api_db.backend_pids})
        rss = api_load.peak_rss_mb_of(api_load.server_pids(proc))
    finally:
        api_load.stop_server(proc)
    stats = _stats(window)
    base = _baseline(today, cap=baseline_cases, log=log)
    p95 = {op: stats[op]["p95"] for op in TARGETS_MS if op in stats}
    met = {op: (p95.get(op) is not None and p95[op] <= limit) for op, limit in TARGETS_MS.items()}
    total = sum(1 for w in window if w[0] in TARGETS_MS)
    bad = {op: {k: v for k, v in s["status"].items() if not (k == "200" or (op == "action" and k == "409"))}
           for op, s in stats.items() if op in TARGETS_MS}
    bad = {op: v for op, v in bad.items() if v}
    skipped = {op: stats[op]["n"] for op in ("action_none", "action_not_allowed") if op in stats}
    if skipped:
        notes.append(f"actions not performed: {skipped} (action_none = no open case left in the right state in the "
                     "user's scope; action_not_allowed = the action was not among allowed_actions)")
    if errors:
        notes.append(f"{len(errors)} simulated users stopped on an error, first: {errors[0]}")
    if bad:
        notes.append(f"unexpected statuses: {bad}; server log {log_path}")
    else:
        try:
            os.remove(log_path)
        except OSError:
            pass
    notes.append(
        f"data: {data_note}; load: gunicorn gthread {workers} workers × {threads} threads (real server process, "
        f"jiuzhu.benchmarks.api_wsgi = the platform's WSGI app + Server-Timing) on 127.0.0.1, driven by {len(sim)} "
        f"simulated users on threads with http.client keep-alive in the bench process on the same {cpus}-CPU machine "
        f"(also running PostgreSQL); each user: operation by role mix, then think time uniform {think[0]}–{think[1]} s; "
        f"{warmup:.0f} s warm-up not measured; percentiles of server time (inside Django: middleware, token auth, "
        f"view, JSON) over {seconds:.0f} s; an action = POST after opening the case page (the GET counts as "
        f"case_page); users: {_composition(sim)}; CPU busy {(info['cpu_busy'] or 0) * 100:.0f} % during the window "
        f"(cores used: {_cores(info['cpu_seconds'], seconds, cpus)}); load average before start {loadavg[0]:.2f}")
    notes.append(base["note"])
    peak_conn = max(info["samples"]) if info["samples"] else None
    return {
        "bench": "api", "cases": cases, "users": len(sim), "seconds": round(seconds, 1), "requests": total,
        "per_second": round(total / seconds, 1) if seconds else None,
        "p50_ms": {op: s["p50"] for op, s in stats.items() if op in TARGETS_MS},
        "p95_ms": p95,
        "p99_ms": {op: s["p99"] for op, s in stats.items() if op in TARGETS_MS},
        "targets_ms": TARGETS_MS, "targets_met": met,
        "counts": {op: s["n"] for op, s in stats.items()},
        "action_p95_ms": {a: s["p95"] for a, s in stats.get("action", {}).get("by_action", {}).items()},
        "client_p95_ms": {op: s["client_p95"] for op, s in stats.items() if op in TARGETS_MS},
        "db_p95_ms": {op: s["db_p95"] for op, s in stats.items() if op in TARGETS_MS},
        "request_cpu_ms": {op: {"p50": s["cpu_p50"], "p95": s["cpu_p95"]} for op, s in stats.items()
                           if op in TARGETS_MS},
        "queries_per_request": {op: s["queries"] for op, s in stats.items() if op in TARGETS_MS},
        "status": {op: s["status"] for op, s in stats.items()},
        "baseline": "my-tasks-per-case-python-loop", "baseline_ms": base["naive_ms"], "fast_ms": base["fast_ms"],
        "ratio": round(base["naive_ms"] / base["fast_ms"], 1) if base["fast_ms"] else None,
        "peak_rss_mb": peak_rss_mb(),
        "server_peak_rss_mb": {"max_worker": max(rss[1:] or rss or [0]), "total": sum(rss)},
        "server": {"workers": workers, "threads": threads, "switch_interval_s": gunicorn_conf.SWITCH_INTERVAL},
        "pg_connections_peak": peak_conn, "max_connections": max_conn,
        "cpu_busy_pct": round(info["cpu_busy"] * 100, 1) if info["cpu_busy"] is not None else None,
        "cpu_ms_per_request": {k: round(v * 1000 / total, 2) for k, v in info["cpu_seconds"].items()
                               if v is not None and total},
        "cpu_cores_used": _cores(info["cpu_seconds"], seconds, cpus),
        "engine": "django+gunicorn", "database": "postgresql", "notes": "; ".join(notes),
    }


# ---------------------------------------------------------------------------------------------


def _prepare(cfg: dict, *, cases: int, seed: int, rebuild: bool, log) -> str:
    api_db.ensure_database(cfg, drop=rebuild)
    api_db.switch_default(cfg)
    call_command("migrate", interactive=False, verbosity=0)
    meta = api_db.meta_read()
    wanted = {"cases": cases, "generator": api_data.GENERATOR_VERSION, "seed": seed}
    if all(meta.get(k) == v for k, v in wanted.items()) and meta.get("complete") \
            and Case.objects.count() == cases:
        built = meta.get("build", {})
        return (f"reused the existing bench database {cfg['NAME']} ({cases} cases, built {built.get('built_at')} "
                f"in {built.get('seconds')} s)")
    if meta or Case.objects.exists():
        log(f"bench database {cfg['NAME']} holds other data: dropping and rebuilding it")
        api_db.ensure_database(cfg, drop=True)
        api_db.switch_default(cfg)
        call_command("migrate", interactive=False, verbosity=0)
    build = api_data.build(cases=cases, seed=seed, log=log)
    api_db.meta_write({**wanted, "complete": True, "build": build})
    return (f"built the bench database {cfg['NAME']} in {build['seconds']} s ({build['households']} households via "
            f"seed_households in {build['people_seconds']} s; {cases} cases, {build['events']} events, "
            f"{build['deadlines']} deadlines, {build['records']} records by COPY in {build['seconds'] - build['people_seconds']:.0f} s; "
            f"{build['open']} open)")


def _sim_users(n: int, *, seed: int, log):
    rng = random.Random(seed)
    by_role: dict[str, list[User]] = {}
    for u in User.objects.filter(username__startswith="bench_").order_by("id"):
        by_role.setdefault(u.role, []).append(u)
    for role, items in by_role.items():  # round-robin over townships: k-th user of every township first
        items.sort(key=lambda u: (int(u.username.rsplit("_", 1)[1]), u.region_id))
    counts = {role: int(round(share * n)) for role, share in ROLE_SHARE}
    counts["township_caseworker"] += n - sum(counts.values())
    chosen = [(role, by_role[role][i % len(by_role[role])]) for role, k in counts.items() for i in range(k)]
    accounts = {u.pk: u for _, u in chosen}
    ApiToken.objects.filter(user__username__startswith="bench_").delete()
    tokens = {pk: token_create(user=u, name="bench api")[1] for pk, u in accounts.items()}

    open_rows = list(Case.objects.filter(is_open=True).values_list("id", "region_id", "state", "program"))
    pools = api_load.Pools(open_rows)
    total = Case.objects.count()
    pct = min(100.0, 100.0 * 60000 / max(1, total))
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, region_id FROM cases_case TABLESAMPLE SYSTEM ({pct}) REPEATABLE ({seed})")
        any_rows = cur.fetchall()
    open_by, any_by = {}, {}
    for rows, target in ((open_rows, open_by), (any_rows, any_by)):
        for row in rows:
            case_id, region = row[0], row[1]
            for key in (region, region[:9] + "000", "county"):
                target.setdefault(key, []).append(case_id)
    sim = []
    for role, user in chosen:
        scope = "county" if role == "county_staff" else user.region_id
        opened = open_by.get(scope, [])
        anyc = any_by.get(scope, [])
        view = rng.sample(opened, min(300, len(opened))) + rng.sample(anyc, min(200, len(anyc)))
        sim.append(api_load.SimUser(user.username, role, scope, tokens[user.pk], view))
    log(f"{len(sim)} simulated users on {len(accounts)} accounts; {len(open_rows)} open cases in the action pools")
    return sim, pools


def _cores(cpu_seconds: dict, seconds: float, cpus: int) -> dict:
    """Average CPU cores used during the measured window: by this benchmark (server, its PostgreSQL
    backends, the load generator) and by everything else on the machine."""
    if not cpu_seconds or cpu_seconds.get("machine_busy") is None:
        return {}
    ours = sum(cpu_seconds.get(k, 0.0) for k in ("server", "postgres", "bench_process"))
    return {"bench": round(ours / seconds, 2), "other_processes": round(max(0.0, cpu_seconds["machine_busy"] - ours) / seconds, 2),
            "available": cpus}


def _composition(sim) -> str:
    counts: dict[str, int] = {}
    for u in sim:
        counts[u.role] = counts.get(u.role, 0) + 1
    townships = len({u.scope[:9] for u in sim if u.role != "county_staff"})
    return ", ".join(f"{k} {v}" for k, v in counts.items()) + f" from {townships} townships"


def _pct(values, q):
    return round(float(np.percentile(np.asarray(values, dtype=float), q)), 2) if values else None


def _stats(window) -> dict:
    out: dict = {}
    for op, action, status, app_ms, db_ms, queries, client_ms, _, cpu_ms in window:
        s = out.setdefault(op, {"app": [], "db": [], "q": [], "client": [], "cpu": [], "status": {}, "by_action": {}})
        s["status"][str(status)] = s["status"].get(str(status), 0) + 1
        if app_ms is None:
            continue
        s["app"].append(app_ms)
        s["db"].append(db_ms)
        s["q"].append(queries)
        s["client"].append(client_ms)
        if cpu_ms is not None:
            s["cpu"].append(cpu_ms)
        if action:
            s["by_action"].setdefault(action, []).append(app_ms)
    result = {}
    for op, s in out.items():
        result[op] = {
            "n": sum(s["status"].values()), "p50": _pct(s["app"], 50), "p95": _pct(s["app"], 95),
            "p99": _pct(s["app"], 99), "client_p95": _pct(s["client"], 95), "db_p95": _pct(s["db"], 95),
            "queries": statistics.median(s["q"]) if s["q"] else None, "status": s["status"],
            "cpu_p50": _pct(s["cpu"], 50), "cpu_p95": _pct(s["cpu"], 95),
            "by_action": {a: {"n": len(v), "p95": _pct(v, 95)} for a, v in s["by_action"].items()},
        }
    return result


# ---------------------------------------------------------------------------------------------


def _naive_my_tasks(actor, today: date, *, cap: int, limit: int = 50):
    """What a first version without task columns would do: every case of the actor's scope that may
    still need work (open, or closed in the last 90 days — filing and denial letters follow closing),
    one at a time: the actions this actor may take (the case page's ``allowed_actions``) and the
    earliest open deadline; keep those with a non-generic action, earliest due first."""
    since = timezone.now() - timedelta(days=90)
    candidates = scope_filter(Case.objects.filter(Q(is_open=True) | Q(closed_at__gte=since)), actor) \
        .select_related("household", "applicant", "region").order_by("id")
    total = candidates.count()
    started = time.perf_counter()
    found, looked = [], 0
    for case in candidates[:cap].iterator(chunk_size=500):
        looked += 1
        if not [a for a in allowed_actions(case=case, actor=actor, today=today) if a not in GENERIC]:
            continue
        live = [d.due for d in case.deadlines.all()
                if d.status in (CaseDeadline.Status.OPEN, CaseDeadline.Status.OVERDUE) and d.step != "overall"]
        found.append((min(live) if live else date.max, case.pk, case))
    found.sort(key=lambda x: (x[0], x[1]))
    seconds = time.perf_counter() - started
    return [c for _, _, c in found[:limit]], seconds, looked, total


def _baseline(today: date, *, cap: int, log) -> dict:
    actor = User.objects.filter(username__startswith="bench_", role="township_caseworker",
                                region_id=api_data.townships()[0]).order_by("id").first()
    times = []
    fast = []
    for _ in range(7):
        started = time.perf_counter()
        fast = my_tasks(actor=actor)
        times.append(time.perf_counter() - started)
    fast_s = statistics.median(times)
    log(f"baseline: naive my-tasks loop for {actor.username} …")
    naive, naive_s, looked, total = _naive_my_tasks(actor, today, cap=cap)
    scaled = naive_s * total / looked if looked and looked < total else naive_s
    if looked < total:
        parity = f"sampled {looked} of {total} candidate cases, scaled linearly; no parity check"
    else:
        same = [c.pk for c in fast] == [c.pk for c in naive]
        overlap = len({c.pk for c in fast} & {c.pk for c in naive})
        parity = (f"parity with selectors.my_tasks: {'same' if same else 'DIFFERENT'} first {len(fast)} tasks "
                  f"({overlap} ids in common)")
    note = (f"baseline: my tasks of caseworker {actor.username} ({actor.region_id}) by a per-case Python loop over "
            f"{total} candidate cases (allowed_actions + deadlines per case) = {scaled * 1000:.0f} ms vs "
            f"selectors.my_tasks (task columns + index case_open_tasks, median of 7, in-process, no load) "
            f"{fast_s * 1000:.2f} ms; {parity}")
    return {"naive_ms": round(scaled * 1000, 1), "fast_ms": round(fast_s * 1000, 3), "note": note}
