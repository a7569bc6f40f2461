"""Notices (公示) the engine takes down: shared by the application steps and the programs' recheck steps."""

from __future__ import annotations

from .models import Case, Notice


def withdraw_running_notices(case: Case):
    """A re-investigation, withdrawal or cancellation takes the case's running notices off the public
    page (a fresh notice follows where one is due). Long-term notices of approved cases stay."""
    case.notices.exclude(kind=Notice.Kind.LONG_TERM).filter(withdrawn=False).update(withdrawn=True)
