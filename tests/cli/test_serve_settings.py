"""`jiuzhu serve` and the shared gunicorn settings refuse bad values with a Chinese message naming
the option or environment variable, before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PYTHON = sys.executable
MB = 1024 * 1024
GB = 1024 * MB


def _import_conf(**env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("JIUZHU_WORKER") and k != "JIUZHU_THREADS"}
    full.update(env)
    return subprocess.run([PYTHON, "-c", "import jiuzhu.gunicorn_conf as c; print(c.workers, c.threads, c.worker_class)"],
                          env=full, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("name", "value"), [
    ("JIUZHU_WORKERS", "abc"), ("JIUZHU_WORKERS", "0"), ("JIUZHU_THREADS", "-1"),
    ("JIUZHU_SWITCH_INTERVAL", "5"), ("JIUZHU_WORKER_CLASS", "eventlet"),
])
def test_bad_environment_setting_is_named(name, value):
    proc = _import_conf(**{name: value})
    assert proc.returncode == 1 and name in proc.stderr and value in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_settings_from_the_environment_and_defaults():
    assert _import_conf(JIUZHU_WORKERS="5", JIUZHU_THREADS="2").stdout.split() == ["5", "2", "gthread"]
    workers, threads, kind = _import_conf().stdout.split()
    assert 1 <= int(workers) <= min(6 * (os.cpu_count() or 2), 32) and (threads, kind) == ("1", "gthread")


@pytest.mark.parametrize(("cores", "memory", "expected"), [
    (2, 64 * GB, 12), (8, 64 * GB, 32), (None, None, 12),  # 6 a core, at most 32
    (2, 1 * GB, 5), (4, 600 * MB, 3), (16, 100 * MB, 1),  # no more than the memory holds (200 MB each), at least 1
])
def test_default_workers_sized_to_cores_and_memory(cores, memory, expected):
    from jiuzhu.gunicorn_conf import default_workers

    assert default_workers(cores, memory) == expected


def test_available_memory_is_read():
    from jiuzhu.gunicorn_conf import available_memory

    memory = available_memory()
    assert memory is None or memory > 0


def test_collectstatic_runs_again_only_when_a_static_file_changes(settings, tmp_path, monkeypatch):
    from jiuzhu.management.commands import serve

    settings.STATIC_ROOT = tmp_path / "static"
    runs = []

    def collect(*args, **kwargs):
        runs.append(args)
        settings.STATIC_ROOT.mkdir(exist_ok=True)
        (settings.STATIC_ROOT / "staticfiles.json").write_text("{}")

    monkeypatch.setattr(serve, "call_command", collect)
    stamps = iter(["a", "a", "b"])
    monkeypatch.setattr(serve, "static_stamp", lambda: next(stamps))
    assert [serve.static_collect() for _ in range(3)] == [True, False, True] and len(runs) == 2


def test_static_stamp_is_stable_and_a_sha256():
    from jiuzhu.management.commands.serve import static_stamp

    assert static_stamp() == static_stamp() and len(static_stamp()) == 64


@pytest.mark.parametrize(("args", "field"), [(["--workers", "0"], "--workers"), (["--port", "70000"], "--port")])
def test_serve_refuses_bad_options_before_starting(args, field, monkeypatch):
    started = []
    monkeypatch.setattr(os, "execv", lambda *a: started.append(a))
    with pytest.raises(CommandError) as exc:
        call_command("serve", *args)
    assert field in str(exc.value) and not started
