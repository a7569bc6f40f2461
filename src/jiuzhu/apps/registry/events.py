"""Events the registry announces to the apps above it (which register in their ``AppConfig.ready``):
the registry imports none of them, so the apps stay acyclic."""

from __future__ import annotations

from collections.abc import Callable

_DEATH_LISTENERS: list[Callable] = []


def on_death_reported(fn: Callable):
    """``fn(*, actor, person_id, household_id, person_name, died_on, now)`` runs inside the registry's
    transaction when a member leaves a household by death (enrollment: R-DM-05 recheck)."""
    if fn not in _DEATH_LISTENERS:
        _DEATH_LISTENERS.append(fn)


def death_reported(**event):
    for fn in _DEATH_LISTENERS:
        fn(**event)
