"""Shared schema pieces: safe text, bounded ids, standard error responses."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

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

# Ids (one representation everywhere): a response gives every record id as a string of decimal digits
# ("12") — JavaScript loses integers above 2**53 — and a request accepts the id as an integer or as that
# string (paths are strings anyway), so a client can send back exactly what it received.
ID_PATTERN = r"^[1-9][0-9]{0,18}$"
IdStr = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
                  WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "description": "记录编号（十进制数字字符串）"})]
RowIdIn = Annotated[int, Field(ge=1, le=DB_INT_MAX), WithJsonSchema({"anyOf": [
    {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
    {"type": "string", "pattern": ID_PATTERN}], "description": "记录编号：整数或数字字符串"})]


def errors(*statuses: int) -> dict:
    """Response declarations for the error statuses an operation may return (401 always)."""
    return {status: ErrorOut for status in sorted({401, *statuses})}
