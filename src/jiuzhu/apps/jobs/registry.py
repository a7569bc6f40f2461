"""Job kinds: each app registers its handlers in ``AppConfig.ready`` so that ``jobs`` imports no app
above it. A handler is ``handler(job, progress) -> dict`` (the JSON result); ``progress(done, total,
message)`` reports progress in Chinese. A ``DomainError`` fails the job with its Chinese message (no
retry: the input is wrong); any other exception is retried with backoff up to ``max_attempts``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Callable
    label: str
    max_attempts: int = 3


_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: str, handler: Callable, *, label: str, max_attempts: int = 3) -> JobKind:
    """Register (or re-register, e.g. on a second ``ready``) the handler of ``kind``."""
    if not 1 <= max_attempts <= 100:
        raise ValueError(f"max_attempts of {kind} must be 1..100")
    entry = JobKind(kind=kind, handler=handler, label=label, max_attempts=max_attempts)
    _KINDS[kind] = entry
    return entry


def job_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def kind_label(kind: str) -> str:
    entry = _KINDS.get(kind)
    return entry.label if entry else kind


def job_kinds() -> dict[str, JobKind]:
    return dict(_KINDS)
