"""What programs register with the case engine (architecture.md "Programs register with the engine").

The engine (engine, services, documents) knows no program's other apps: the steps that create or
change an enrollment, the guards that read enrollments and the documents filled from them live in
``jiuzhu.apps.programs``, which registers them here from its ``AppConfig.ready()``. The engine calls
them exactly where it called them before: inside the action's transaction, before its audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .guards import ACTOR_GUARDS, GUARDS, NOT_APPLICABLE
from .payloads import PAYLOADS

_HANDLERS: dict[str, Callable] = {}
_ACTIONS: dict[str, Callable] = {}  # actions a program brings (its own payload model and handler)
_SUBMITS: dict[str, Callable] = {}  # how a program opens a case (when not the engine's own submit)
_PERMISSIONS: dict[str, dict] = {}  # program → {purpose: permission name in accounts/permissions.py}
_DOCUMENTS: dict[str, Callable] = {}
_LOOKUPS: dict[str, Callable] = {}


@dataclass(frozen=True)
class ProgramDocuments:
    """A program's own document list (issue 14 §5): its cases produce these instead of 附件1–9."""

    kinds: tuple[str, ...]  # document kind codes (apps/documents/kinds.py), in the case file's order
    build: Callable = field(compare=False)  # (case, today) → {kind: context} of those available now
    waiting: dict = field(default_factory=dict, compare=False)  # kind → what the case still needs


_PROGRAM_DOCUMENTS: dict[str, ProgramDocuments] = {}


def _register(table: dict, what: str, name: str, fn: Callable):
    known = table.get(name)
    if known is not None and known is not fn:
        raise RuntimeError(f"case engine: {what} {name!r} is registered twice ({known.__module__}, {fn.__module__})")
    table[name] = fn


def register_handler(action: str, fn: Callable):
    """``fn(ctx)`` writes the step's records and fields of ``action`` (``engine.perform``'s handler)."""
    _register(_HANDLERS, "handler", action, fn)


def register_guard(name: str, fn: Callable):
    """``fn(ctx)`` raises a ``DomainError`` when the action may not happen now (named in the tables)."""
    _register(GUARDS, "guard", name, fn)


def register_actor_guard(name: str, fn: Callable):
    """``fn(ctx)`` runs for every action of every case when the actor is known (after the row's guards);
    it raises a ``DomainError`` when this actor may not act on this case (e.g. recusal, R-WF-03)."""
    _register(ACTOR_GUARDS, "actor guard", name, fn)


def register_document(kind: str, fn: Callable):
    """``fn(case, today)`` returns the document's context, or None when the case cannot produce it.
    Registered documents follow the engine's own in ``documents.contexts`` (in registration order)."""
    _register(_DOCUMENTS, "document", kind, fn)


def register_program_documents(program: str, *, kinds: tuple[str, ...], build: Callable,
                               waiting: dict | None = None):
    """``program``'s cases offer ``kinds`` (built by ``build(case, today)``) instead of the engine's 附件1–9."""
    spec = ProgramDocuments(tuple(kinds), build, dict(waiting or {}))
    known = _PROGRAM_DOCUMENTS.get(program)
    if known is not None and known.build is not build:
        raise RuntimeError(f"case engine: documents of {program!r} are registered twice")
    _PROGRAM_DOCUMENTS[program] = spec


def program_documents(program: str) -> ProgramDocuments | None:
    return _PROGRAM_DOCUMENTS.get(program)


def register_lookup(name: str, fn: Callable):
    """A value the engine's documents read from a program's records (e.g. an approval's first paid month)."""
    _register(_LOOKUPS, "lookup", name, fn)


def handler(action: str) -> Callable:
    """The handler ``perform`` runs for ``action``, resolved when the action runs (programs register
    after the engine is imported)."""
    def run(ctx):
        fn = _HANDLERS.get(action)
        if fn is None:
            raise RuntimeError(f"case engine: no handler registered for {action!r} "
                               "(is jiuzhu.apps.programs in INSTALLED_APPS?)")
        return fn(ctx)
    run.__name__ = f"{action}_handler"
    return run


def documents() -> dict[str, Callable]:
    return dict(_DOCUMENTS)


def lookup(name: str, *args, default=None):
    fn = _LOOKUPS.get(name)
    return default if fn is None else fn(*args)


def register_action(action: str, handler: Callable, payload):
    """A program's own action (issue 14 §0): ``payload`` is its pydantic model (validated by
    ``clean_payload``, documented by the API), ``handler(ctx)`` writes its records inside ``perform``."""
    known = PAYLOADS.get(action)
    if known is not None and known is not payload:
        raise RuntimeError(f"case engine: payload of {action!r} is registered twice")
    PAYLOADS[action] = payload
    _register(_ACTIONS, "action", action, handler)


def action_handler(action: str) -> Callable | None:
    return _ACTIONS.get(action)


def register_submit(program: str, fn: Callable):
    """``fn(actor=, household_id=, applicant_id=, channel=, payload=, now=)`` opens a case of ``program``."""
    _register(_SUBMITS, "submit", program, fn)


def program_submit(program: str) -> Callable | None:
    return _SUBMITS.get(program)


def register_permissions(program: str, **names: str):
    """The permission names (accounts/permissions.py) a program's pages and API check, by purpose."""
    _PERMISSIONS.setdefault(program, {}).update(names)


def permission(program: str, purpose: str, default: str = "") -> str:
    return _PERMISSIONS.get(program, {}).get(purpose, default)


def register_not_applicable(*codes: str):
    """Guard refusal codes meaning "does not apply now" (not listed as blocked, no task waits for them)."""
    NOT_APPLICABLE.update(codes)
