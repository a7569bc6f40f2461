"""One input-validation style: pydantic models, and this one translator of their errors into
Chinese messages naming the field. Case actions, other services' inputs and the HTTP API all use it
(the API through ``api.errors``), so a user sees the same words for the same mistake everywhere.

``validate`` raises ``ValidationFailed`` whose message is the first problem and whose
``details["errors"]`` lists every problem (``field``, ``message``, ``type``), so a form can show each
one under its field at once.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ValidationError

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


def error_list(errors, model: type[BaseModel] | None = None, *, path=field_path) -> list[dict]:
    """Every problem of a pydantic error list as ``{field, message, type}``; a model gives the
    message its field's Chinese title (``调查日期：不能晚于…``)."""
    out = []
    for e in errors:
        loc = tuple(e.get("loc", ()))
        field = path(loc)
        message = message_of(e)
        if e.get("type") == "value_error" and "|" in str((e.get("ctx") or {}).get("error", "")):
            field = str(e["ctx"]["error"]).split("|", 1)[0]  # a model check naming its own field and words
        elif model is not None:
            message = f"{field_title(model, loc)}：{message}"
        out.append({"field": field, "message": message, "type": e.get("type", "")})
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


def validate(model: type[BaseModel], data, *, today: dt.date | None = None, code: str = "payload.invalid") -> BaseModel:
    """Validate ``data`` with ``model``; on failure ``ValidationFailed`` naming the first field, with
    every problem in ``details["errors"]``. ``today``: the day a past-event date may not be after."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed(code, "提交内容应为 JSON 对象", field="payload")
    bad = _unstorable(data)
    if bad is not None:
        raise ValidationFailed(code, f"{field_title(model, bad)}：不能包含空字符或无效的 Unicode 字符",
                               field=field_path(bad) or "payload")
    try:
        return model.model_validate(data, context={"today": today})
    except ValidationError as exc:
        errors = error_list(exc.errors(include_url=False), model)
        raise ValidationFailed(code, errors[0]["message"], field=errors[0]["field"], errors=errors) from None
