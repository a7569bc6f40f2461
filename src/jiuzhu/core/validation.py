"""One input-validation style: pydantic models, and this one translator of their errors into
Chinese messages naming the field. Case actions, other services' inputs and the HTTP API all use it
(the API through ``api.errors``), so a user sees the same words for the same mistake everywhere.

``validate`` raises ``ValidationFailed`` whose message is the first problem and whose
``details["errors"]`` lists every problem (``field``, ``message``, ``type``), so a form can show each
one under its field at once. With ``codes=True`` each problem is ``{field, code, message}`` and the
exception carries the first problem's code (the registry's forms, the API and the imports pin these).
``validate_rows`` checks the rows of an import, each error numbered by its spreadsheet row.

How to write an input model (see docs/validation.md):

- one ``BaseModel`` per input in ``apps/<app>/inputs.py`` (or a small module next to its service),
  ``title=`` on every field: the translator names the field by it (``调查日期：不能晚于…``);
- built-in constraints (``min_length``, ``ge``, ``Literal`` …) get their Chinese words from ``MESSAGES``;
- a rule of your own raises ``problem(code, message)`` from a validator: the message is the whole
  Chinese sentence (it names the field itself) and ``code`` is the stable code shown with it;
- a check across fields that finds several problems raises ``problems(model, [(loc, code, message)])``;
- checks that need the database run after validation and raise ``refuse([(field, code, message)])``.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from jiuzhu.rules.errors import ValidationFailed

MESSAGES = {
    "missing": "必填", "string_too_short": "不能为空", "string_too_long": "过长（最多 {max_length} 个字）",
    "string_pattern_mismatch": "格式不正确", "string_type": "应为文字",
    "too_short": "至少需要 {min_length} 项", "too_long": "最多 {max_length} 项",
    "greater_than_equal": "不能小于 {ge}", "greater_than": "应大于 {gt}", "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "literal_error": "取值无效，可选：{expected}", "enum": "取值无效，可选：{expected}",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "decimal_parsing": "应为数字", "decimal_type": "应为数字", "decimal_max_places": "最多两位小数",
    "decimal_max_digits": "数值过大", "decimal_whole_digits": "数值过大",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD", "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD", "datetime_parsing": "时间格式应为 YYYY-MM-DDTHH:MM:SS+08:00",
    "bool_parsing": "应为是或否（true/false）", "bool_type": "应为是或否（true/false）",
    "list_type": "应为列表", "model_type": "格式不正确，应为对象", "model_attributes_type": "格式不正确，应为对象",
    "dict_type": "格式不正确，应为对象", "extra_forbidden": "不认识的字段", "json_invalid": "不是有效的 JSON",
    "date_in_future": "不能晚于办理当日 {today}",
}
_OWN = "sentence"  # the context key that marks a rule's own problem


def own(error: dict) -> bool:
    """Whether a problem was raised by a rule of ours (``problem``): its message is already the
    whole Chinese sentence and its type is the rule's code."""
    return (error.get("ctx") or {}).get(_OWN) is True


def problem(code: str, message: str) -> PydanticCustomError:
    """A rule's own problem, raised from a validator: ``message`` is the whole Chinese sentence
    (naming the field itself, e.g. ``姓名不能为空``), ``code`` its stable code (any name, even one
    pydantic uses, like ``too_long``)."""
    return PydanticCustomError(code, message, {_OWN: True})


def _details(error) -> InitErrorDetails:
    kind = error["type"]
    if own(error):
        return InitErrorDetails(type=problem(kind, error["msg"]), loc=error["loc"], input=error.get("input"))
    return InitErrorDetails(type=kind, loc=error["loc"], input=error.get("input"), ctx=error.get("ctx") or {})


def problems(model: type[BaseModel], items: Iterable[tuple[tuple, str, str]],
             before: ValidationError | None = None,
             restate: Mapping[tuple, tuple[str, str]] | None = None) -> ValidationError:
    """Several problems at once, each ``(loc, code, message)`` at its own place, after the problems of
    ``before`` (the fields' own; those at a loc in ``restate`` get its ``(code, message)`` instead).
    Raised from a model validator, e.g. one checking members against each other."""
    restate = restate or {}
    line_errors = []
    for e in before.errors(include_url=False) if before is not None else ():
        loc = tuple(e["loc"])
        line_errors.append(InitErrorDetails(type=problem(*restate[loc]), loc=loc, input=e.get("input"))
                           if loc in restate else _details(e))
    line_errors += [InitErrorDetails(type=problem(code, message), loc=loc, input=None) for loc, code, message in items]
    return ValidationError.from_exception_data(model.__name__, line_errors)


def refuse(items: Iterable[tuple[str, str, str]]) -> None:
    """Raise every ``(field, code, message)`` found after validation (checks against the database)
    like the translator's own: the first one's code and message, all of them in ``errors``."""
    errors = [{"field": f, "code": c, "message": m} for f, c, m in items]
    if errors:
        raise ValidationFailed(errors[0]["code"], errors[0]["message"], field=errors[0]["field"], errors=errors)


def field_path(loc) -> str:
    """``("items", 0, "as_of")`` → ``items[0].as_of``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def field_title(model: type[BaseModel] | None, loc) -> str:
    """The Chinese title of the field at ``loc`` in ``model`` (its path when the model has none)."""
    current, title = model, ""
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return str(part)
        title = info.title or str(part)
        ann = info.annotation
        inner = getattr(ann, "__args__", (ann,))
        current = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return title or field_path(loc)


def message_of(error: dict) -> str:
    """The Chinese message of one pydantic error (without the field's name)."""
    kind = error.get("type", "")
    ctx = dict(error.get("ctx") or {})
    if own(error):
        return str(error.get("msg", ""))
    if kind == "value_error":
        text = str(ctx.get("error", error.get("msg", ""))).removeprefix("Value error, ")
        return text.split("|", 1)[1] if "|" in text else text
    ctx = {k: (str(v).replace("' or '", "'、'").replace("', '", "'、'") if k == "expected" else v) for k, v in ctx.items()}
    ctx = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in ctx.items()}
    template = MESSAGES.get(kind)
    if template:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError, ValueError):
            return template
    return "格式不正确"


def error_list(errors, model: type[BaseModel] | None = None, *, path=field_path, prefix: tuple = (),
               codes: bool = False) -> list[dict]:
    """Every problem of a pydantic error list as ``{field, message, type}`` (``{field, code, message}``
    with ``codes``); a model gives the message its field's Chinese title (``调查日期：不能晚于…``) unless
    the problem is a rule's own sentence. ``prefix``: where the model sits in the submission."""
    out = []
    for e in errors:
        loc = tuple(e.get("loc", ()))
        field = path((*prefix, *loc))
        message = message_of(e)
        if e.get("type") == "value_error" and "|" in str((e.get("ctx") or {}).get("error", "")):
            field = str(e["ctx"]["error"]).split("|", 1)[0]  # a model check naming its own field and words
        elif model is not None and not own(e):
            message = f"{field_title(model, loc)}：{message}"
        kind = e.get("type", "")
        out.append({"field": field, "code": kind, "message": message} if codes else
                   {"field": field, "message": message, "type": kind})
    return out


def _unstorable(value):
    """The path of the first string the database cannot store (NUL, lone surrogates), or None.
    Iterative: a deeply nested body must not exhaust the stack."""
    stack = [((), value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, str):
            if any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in item):
                return loc
        elif isinstance(item, dict):
            stack.extend(((*loc, key), v) for key, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(item))))
    return None


M = typing.TypeVar("M", bound=BaseModel)


def validate(model: type[BaseModel], data, *, today: dt.date | None = None, code: str = "payload.invalid",
             codes: bool = False, context: dict | None = None, prefix: tuple = ()) -> BaseModel:
    """Validate ``data`` with ``model``; on failure ``ValidationFailed`` naming the first field, with
    every problem in ``details["errors"]``. ``today``: the day a past-event date may not be after
    (validators read it from the context, with anything in ``context``). ``codes``: every problem
    keeps its own code and the exception carries the first one's. ``prefix``: the model's place in
    the submission (``("member",)`` → ``member.name``)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed(code, "提交内容应为 JSON 对象", field=field_path(prefix) or "payload")
    bad = _unstorable(data)
    if bad is not None:
        raise ValidationFailed(code, f"{field_title(model, bad)}：不能包含空字符或无效的 Unicode 字符",
                               field=field_path((*prefix, *bad)) or "payload")
    try:
        return model.model_validate(data, context={**(context or {}), "today": today})
    except ValidationError as exc:
        errors = error_list(exc.errors(include_url=False), model, prefix=prefix, codes=codes)
        first = errors[0]
        raise ValidationFailed(first["code"] if codes else code, first["message"], field=first["field"],
                               errors=errors) from None


def validate_rows(model: type[M], rows: Iterable[tuple[int, dict]], *, today: dt.date | None = None,
                  context: dict | None = None) -> tuple[list[tuple[int, M]], list[dict]]:
    """The rows of an import (``(row number, {column key: cell})``), each validated with ``model``:
    (the good rows with their numbers, every problem as ``{row, field, code, message}``). Nothing is
    raised: an import reports all its rows at once. For per-record imports (a ledger, a register);
    a department file of millions of rows is checked columnar in ``jiuzhu.batch`` instead."""
    ctx = {**(context or {}), "today": today}
    good: list[tuple[int, M]] = []
    errors: list[dict] = []
    for number, values in rows:
        try:
            good.append((number, model.model_validate(values, context=ctx)))
        except ValidationError as exc:
            errors.extend({"row": number, **e} for e in error_list(exc.errors(include_url=False), model, codes=True))
    return good, errors
