"""Shared schema pieces: safe text, bounded ids, standard error responses."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from .errors import ErrorOut

DB_INT_MAX = 2**63 - 1


def _printable(value: str) -> str:
    if any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("不能包含空字符或无效的 Unicode 字符")
    return value


def Text(max_length: int, **kw):  # noqa: N802 — used like a type
    """A bounded string that the database can store (no NUL, no lone surrogates)."""
    return Annotated[str, StringConstraints(max_length=max_length, **kw), AfterValidator(_printable)]


RowId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def errors(*statuses: int) -> dict:
    """Response declarations for the error statuses an operation may return (401 always)."""
    return {status: ErrorOut for status in sorted({401, *statuses})}
