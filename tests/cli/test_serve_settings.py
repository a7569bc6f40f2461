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
    assert int(workers) == min(6 * (os.cpu_count() or 2), 32) and (threads, kind) == ("1", "gthread")


@pytest.mark.parametrize(("args", "field"), [(["--workers", "0"], "--workers"), (["--port", "70000"], "--port")])
def test_serve_refuses_bad_options_before_starting(args, field, monkeypatch):
    started = []
    monkeypatch.setattr(os, "execv", lambda *a: started.append(a))
    with pytest.raises(CommandError) as exc:
        call_command("serve", *args)
    assert field in str(exc.value) and not started
