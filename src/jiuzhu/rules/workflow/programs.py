"""Programs registered with the case workflow (issue 14 §0): each brings its transition tables, case
kinds, labels and number prefix as data; ``tables.table_for`` and the case engine read them from here
and name no program. dibao and tekun register in ``tables``, temporary assistance in ``temporary``.

The Django side (payload models, handlers, guards, documents, permissions) registers with
``jiuzhu.apps.cases.registry`` under the same program key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .model import Transition, WorkflowSettings


@dataclass(frozen=True)
class ProgramSpec:
    key: str
    label: str
    number_prefix: str  # case numbers: prefix + year + id (DB, TK, LS …)
    table: Callable[[WorkflowSettings, str], tuple[Transition, ...]]  # (settings, case kind) → rows
    kinds: dict = field(default_factory=dict, hash=False, compare=False)  # case kinds this program opens
    short_label: str = ""


_PROGRAMS: dict[str, ProgramSpec] = {}


def register_program(spec: ProgramSpec) -> ProgramSpec:
    known = _PROGRAMS.get(spec.key)
    if known is not None and known != spec:
        raise RuntimeError(f"workflow: program {spec.key!r} is registered twice")
    _PROGRAMS[spec.key] = spec
    return spec


def program_spec(key: str) -> ProgramSpec | None:
    return _PROGRAMS.get(key)


def programs() -> dict[str, ProgramSpec]:
    return dict(_PROGRAMS)
