"""Rich progress bars on stderr for long CLI jobs: one bar per step label, fed by a service's
``progress(label, done, total)`` callback; stdout stays clean for results and ``--json``."""

from __future__ import annotations

from django.core.management.base import CommandError

from jiuzhu.apps.accounts.models import User


class Bars:
    """One bar for the job; each step's label becomes its description (``progress(label, done, total)``)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._progress = None
        self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(stderr=True))
            self._progress.start()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()
        return False

    def __call__(self, label: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task(label, total=max(total, 1))
        self._progress.update(self._task, description=label, completed=done, total=max(total, 1))


def user_named(name: str | None, *, required: bool = False):
    """The active user ``name``; None when not given and not required (the CLI operator acts)."""
    if not name:
        if required:
            raise CommandError("须用 --user 指定操作人", returncode=2)
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"用户“{name}”不存在或已停用（参数：--user）", returncode=2)
    return user
