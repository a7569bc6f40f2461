"""Load for the `api` bench: a real gunicorn server and simulated users on threads (http.client).

Each simulated user is a bench account (township caseworker, township reviewer, village assistant
or county staff) with its own API token and keep-alive connection. It loops: pick an operation by
its role's mix, perform it, think (uniform ``think`` seconds), until the run ends.

* ``case_page`` — ``GET /api/v1/cases/{id}`` of a case in the user's scope (open or closed);
* ``my_tasks`` — ``GET /api/v1/tasks`` (the 工作台 list);
* ``action`` — like a user in the UI: open the case page (counted as ``case_page``), then, if the
  action is among ``allowed_actions``, ``POST /api/v1/cases/{id}/actions/{action}?version=V``.
  Cases come from per-township pools of open cases in the right state (each used once per run):
  ``request_verification`` (submitted), ``accept`` (verified), ``record_survey`` (accepted) by
  caseworkers and village assistants, ``record_verification`` (verifying) by county staff.

Server time is read from the ``Server-Timing`` header added by ``api_wsgi``.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

ROLE_MIX = {
    "township_caseworker": (("case_page", .40), ("my_tasks", .35), ("action", .25)),
    "township_reviewer": (("case_page", .60), ("my_tasks", .40)),
    "village_assistant": (("case_page", .50), ("my_tasks", .30), ("action", .20)),
    "county_staff": (("case_page", .50), ("my_tasks", .30), ("action", .20)),
}
ROLE_ACTIONS = {
    "township_caseworker": {"submitted": "request_verification", "verified": "accept", "accepted": "record_survey"},
    "village_assistant": {"accepted": "record_survey"},
    "county_staff": {"verifying": "record_verification"},
}
_TIMING = re.compile(r'app;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+)"(?:, cpu;dur=([\d.]+))?')


def action_payload(action: str, program: str, today: date) -> dict:
    if action == "record_verification":
        return {"items": [], "conclusion": "consistent", "note": "与申报一致"}
    if action == "record_survey":
        data = {"date": today.isoformat(), "investigators": ["王经办", "陈协理"],
                "living_conditions": "砖混住房两间，家电简陋", "findings": "家庭收入主要靠务农，情况属实"}
        if program == "tekun":
            data.update(adl_failed=2, obligors_able=False)
        return data
    return {}


@dataclass
class SimUser:
    username: str
    role: str
    scope: str  # pool key: township code, village code or "county"
    token: str
    view_pool: list = field(default_factory=list)


class Pools:
    """Open cases by (scope, state), each handed out once; thread-safe."""

    def __init__(self, rows):
        self._lock = threading.Lock()
        self._pools: dict = defaultdict(list)
        for case_id, region, state, program in rows:
            for key in (region[:9] + "000", region, "county"):
                self._pools[(key, state)].append((case_id, program))
        for items in self._pools.values():
            random.Random(len(items)).shuffle(items)
        self._used: set = set()

    def pop(self, scope: str, states) -> tuple[int, str, str] | None:
        with self._lock:
            candidates = [s for s in states if self._pools.get((scope, s))]
            random.shuffle(candidates)
            for state in candidates:
                items = self._pools[(scope, state)]
                while items:
                    case_id, program = items.pop()
                    if case_id not in self._used:
                        self._used.add(case_id)
                        return case_id, program, state
        return None


class Client:
    def __init__(self, host: str, port: int, token: str):
        self.host, self.port = host, port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                        "Connection": "keep-alive"}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=self.headers)
                resp = self.conn.getresponse()
                content = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                self.conn.close()
                self.conn = None
                if attempt or method != "GET":
                    raise
                continue
            client_ms = (time.perf_counter() - started) * 1000
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return resp.status, resp.getheader("Server-Timing") or "", content, client_ms, started
        raise RuntimeError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()


def _timing(header: str):
    m = _TIMING.search(header)
    if not m:
        return None, None, None, None
    return float(m.group(1)), float(m.group(2)), int(m.group(3)), float(m.group(4)) if m.group(4) else None


def user_loop(user: SimUser, *, host, port, pools: Pools, stop: threading.Event, think: tuple[float, float],
              seed: int, today: date, out: list, errors: list):
    rng = random.Random(seed)
    client = Client(host, port, user.token)
    mix = ROLE_MIX[user.role]
    ops, weights = [m[0] for m in mix], [m[1] for m in mix]
    if stop.wait(rng.uniform(0, think[1])):  # stagger the start
        return

    def record(op, status, timing, client_ms, started, action=""):
        app_ms, db_ms, queries, cpu_ms = _timing(timing)
        out.append((op, action, status, app_ms, db_ms, queries, client_ms, started, cpu_ms))

    def case_page(case_id):
        status, timing, content, client_ms, started = client.request("GET", f"/api/v1/cases/{case_id}")
        record("case_page", status, timing, client_ms, started)
        return status, content

    try:
        while not stop.is_set():
            op = rng.choices(ops, weights)[0]
            if op == "case_page" and user.view_pool:
                case_page(rng.choice(user.view_pool))
            elif op == "my_tasks":
                status, timing, _, client_ms, started = client.request("GET", "/api/v1/tasks")
                record("my_tasks", status, timing, client_ms, started)
            elif op == "action":
                actions = ROLE_ACTIONS[user.role]
                picked = pools.pop(user.scope, list(actions))
                if picked is None:
                    out.append(("action_none", "", 0, None, None, None, 0.0, time.perf_counter(), None))
                else:
                    case_id, program, state = picked
                    action = actions[state]
                    status, content = case_page(case_id)
                    doc = json.loads(content) if status == 200 else {}
                    if action in doc.get("allowed_actions", ()):
                        status, timing, _, client_ms, started = client.request(
                            "POST", f"/api/v1/cases/{case_id}/actions/{action}?version={doc['version']}",
                            action_payload(action, program, today))
                        record("action", status, timing, client_ms, started, action)
                    else:
                        out.append(("action_not_allowed", action, status, None, None, None, 0.0, time.perf_counter(), None))
            if stop.wait(rng.uniform(*think)):
                break
    except Exception as exc:  # noqa: BLE001 — reported in the result, the run goes on
        errors.append(f"{user.username}: {type(exc).__name__}: {exc}")
    finally:
        client.close()


# ---------------------------------------------------------------------------------------------
# server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(*, database_url: str, workers: int, threads: int, log_path: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(os.environ, JIUZHU_DATABASE_URL=database_url)
    env.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.production")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    # the served configuration of ``jiuzhu serve`` (jiuzhu.gunicorn_conf), sized for the load
    cmd = [gunicorn, "jiuzhu.benchmarks.api_wsgi:application", "-c", "python:jiuzhu.gunicorn_conf",
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
           "--backlog", "2048", "--timeout", "120", "--log-level", "warning"]
    log = open(log_path, "wb")  # noqa: SIM115 — closed with the process
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"gunicorn did not answer on port {port}; see {log_path}")


def server_pids(proc: subprocess.Popen) -> list[int]:
    pids = [proc.pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == proc.pid:
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def peak_rss_mb_of(pids) -> list[int]:
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        out.append(int(line.split()[1]) // 1024)
        except OSError:
            continue
    return out


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


_TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_by_group(groups: dict) -> dict[str, dict[int, float]]:
    out = {name: {pid: proc_cpu_seconds(pid) for pid in pids()} for name, pids in groups.items()}
    t = os.times()
    out["bench_process"] = {os.getpid(): t.user + t.system}
    return out


def cpu_delta(before: dict, after: dict) -> dict[str, float]:
    return {name: round(sum(v - before.get(name, {}).get(pid, 0.0) for pid, v in pids.items()), 2)
            for name, pids in after.items()}


def run_users(users: list[SimUser], *, host: str, port: int, pools: Pools, seconds: float, warmup: float,
              think: tuple[float, float], seed: int, today: date, sample=None, cpu_groups: dict | None = None):
    """Run all users for warmup + seconds. Returns (samples in the measured window, errors, window info)."""
    stop = threading.Event()
    outs: list[list] = [[] for _ in users]
    errors: list[str] = []
    threads = [threading.Thread(target=user_loop, name=f"sim-{u.username}", daemon=True,
                                kwargs=dict(user=u, host=host, port=port, pools=pools, stop=stop, think=think,
                                            seed=seed * 1000 + i, today=today, out=outs[i], errors=errors))
               for i, u in enumerate(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    measure_from = started + warmup
    end = measure_from + seconds
    cpu0 = None
    samples_taken = []
    while (now := time.perf_counter()) < end:
        if cpu0 is None and now >= measure_from:
            cpu0 = cpu_times()
            groups0 = cpu_by_group(cpu_groups or {})
        if sample is not None and now >= measure_from:
            samples_taken.append(sample())
        time.sleep(min(2.0, max(0.05, (measure_from if cpu0 is None else end) - now)))
    cpu1 = cpu_times()
    groups1 = cpu_by_group(cpu_groups or {})
    stop.set()
    for t in threads:
        t.join(timeout=180)
    window = [s for out in outs for s in out if measure_from <= s[7] and s[7] + s[6] / 1000 <= end]
    busy = (cpu1[0] - cpu0[0]) / max(1, cpu1[1] - cpu0[1]) if cpu0 else None
    cpu_seconds = cpu_delta(groups0, groups1) if cpu0 else {}
    cpu_seconds["machine_busy"] = round((cpu1[0] - cpu0[0]) / _TICK, 2) if cpu0 else None
    return window, errors, {"measured_seconds": seconds, "cpu_busy": busy, "samples": samples_taken,
                            "cpu_seconds": cpu_seconds,
                            "stuck_threads": sum(t.is_alive() for t in threads)}
