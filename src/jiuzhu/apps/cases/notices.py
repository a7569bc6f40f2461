"""Notices (公示) the engine takes down: shared by the application steps and the programs' recheck steps."""

from __future__ import annotations

from .models import Case, Notice


def withdraw_running_notices(case: Case, *, keep_application: bool = False):
    """A re-investigation, withdrawal or cancellation takes the case's running notices off the public
    page (a fresh notice follows where one is due). Long-term notices of approved cases stay; an
    objection to the initial notice leaves the 申请情况公示 running (``keep_application``)."""
    kept = [Notice.Kind.LONG_TERM] + ([Notice.Kind.APPLICATION] if keep_application else [])
    case.notices.exclude(kind__in=kept).filter(withdrawn=False).update(withdrawn=True)
