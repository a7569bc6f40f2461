"""Read queries compiled to SQL once per connection and run again with new parameter values.

Turning a queryset into SQL (``SQLCompiler.as_sql``: columns, joins, ordering) cost more CPU than
anything else on the API's busiest requests (the case page, my tasks, token auth): some 60 % of a
single-row ``select_related`` read, every time, for the same SQL. A ``Prepared`` query is built once
with stand-in values, compiled, and from then on only its parameter values change; rows come back
through Django's own iterables (model instances, ``select_related``, annotations, converters) as
from the queryset itself.

``build(*values)`` must return the queryset for those values; each value must reach the SQL as one
bound parameter (``pk=``, ``__gte=``, ``key=``…, not ``__in=[…]``, not ``LIMIT``). Anything else
that shapes the SQL text (a limit, a setting) goes in ``shape``: one compilation per shape. A build
whose other parameters change between two compilations (e.g. ``timezone.now()`` inside) is refused
when first used, so a stale constant can never be cached.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Stand-ins: values no caller passes, distinct in each of the two compilations.
_INT_STANDIN = -7_301_000_000
_STR_PREFIX = "\x00prepared-standin-"
_DATETIME_STANDIN = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


class PreparedError(RuntimeError):
    pass


def _adapter(kind: type, connection) -> Callable[[Any], Any]:
    """How a value of ``kind`` reaches the database driver (a datetime as text on SQLite)."""
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value
    return lambda value: value


def _standins(kinds: Sequence[type], round_: int) -> list[Any]:
    values: list[Any] = []
    for i, kind in enumerate(kinds):
        if kind is int:
            values.append(_INT_STANDIN - 1000 * round_ - i)
        elif kind is str:
            values.append(f"{_STR_PREFIX}{round_}-{i}")
        elif kind is datetime:  # aware
            values.append(_DATETIME_STANDIN + timedelta(days=round_, seconds=i))
        else:
            raise PreparedError(f"unsupported parameter kind {kind!r}")
    return values


class _Compiled:
    __slots__ = ("connection", "queryset", "compiler", "sql", "params", "slots", "adapters", "converters")

    def __init__(self, connection, queryset, compiler, sql, params, slots, adapters):
        self.connection, self.queryset, self.compiler = connection, queryset, compiler
        self.sql, self.params, self.slots, self.adapters = sql, params, slots, adapters
        self.converters = None


class Prepared:
    """``Prepared(lambda pk: Model.objects.filter(pk=pk), int)``; ``.all(5)`` → list of rows."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self.build = build
        self.kinds = kinds
        self._local = threading.local()

    def _compile(self, connection, shape: tuple) -> _Compiled:
        rounds = []
        for round_ in (0, 1):
            values = _standins(self.kinds, round_)
            qs = self.build(*values, *shape)
            # a related manager's queryset is built from one instance (its rows point back to it)
            if qs._known_related_objects:  # type: ignore[attr-defined]
                raise PreparedError("build the queryset from the model's manager, not a related manager")
            compiler = qs.query.get_compiler(using=qs.db)
            sql, params = compiler.as_sql()
            rounds.append((qs, compiler, sql, list(params), values))
        (qs, compiler, sql, params, values), (_, _, sql2, params2, values2) = rounds
        adapters = [_adapter(kind, connection) for kind in self.kinds]
        values = [adapt(v) for adapt, v in zip(adapters, values, strict=True)]
        values2 = [adapt(v) for adapt, v in zip(adapters, values2, strict=True)]
        slots = []
        for value in values:
            hits = [i for i, p in enumerate(params) if p == value]
            if len(hits) != 1:
                raise PreparedError(f"a value must reach the SQL as exactly one parameter: {sql}")
            slots.append(hits[0])
        moved = [i for i, (a, b) in enumerate(zip(params, params2, strict=True)) if a != b and i not in slots]
        if sql != sql2 or moved or [params2[i] for i in slots] != values2:
            raise PreparedError(f"the SQL depends on more than the parameters given: {sql}")
        return _Compiled(connection, qs, compiler, sql, params, slots, adapters)

    def queryset(self, *values: Any, shape: tuple[Hashable, ...] = ()) -> QuerySet:
        """An unevaluated queryset that runs the compiled SQL with ``values`` (chain nothing onto it)."""
        cache = self._local.__dict__.setdefault("by_shape", {})
        compiled = cache.get(shape)
        # per thread and per connection object: a new one (tests switch databases) compiles again
        if compiled is None or connections[compiled.queryset.db] is not compiled.connection:
            qs = self.build(*_standins(self.kinds, 0), *shape)
            compiled = cache[shape] = self._compile(connections[qs.db], shape)
        params = list(compiled.params)
        for slot, adapt, value in zip(compiled.slots, compiled.adapters, values, strict=True):
            params[slot] = adapt(value)
        compiler = copy.copy(compiled.compiler)
        sql, bound = compiled.sql, tuple(params)
        compiler.as_sql = lambda *args, **kwargs: (sql, bound)  # type: ignore[method-assign]
        cached = compiled

        def get_converters(expressions):
            if cached.converters is None:
                cached.converters = type(compiler).get_converters(compiler, expressions)
            return cached.converters

        compiler.get_converters = get_converters  # type: ignore[method-assign]
        clone = compiled.queryset._chain()
        clone.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return clone

    def all(self, *values: Any, shape: tuple[Hashable, ...] = ()) -> list:
        return list(self.queryset(*values, shape=shape))

    def first(self, *values: Any, shape: tuple[Hashable, ...] = ()):
        rows = self.all(*values, shape=shape)
        return rows[0] if rows else None
