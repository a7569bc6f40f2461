"""Every error leaves the API as ``{"code", "message", "details"}`` with a fitting status."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from jiuzhu.rules.errors import DomainError


class ErrorOut(Schema):
    code: str
    message: str
    details: dict = {}


UNAUTHORIZED_MESSAGE = "未登录或令牌无效、已过期、已吊销"

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               409: "conflict", 413: "too_large", 422: "validation_error", 429: "too_many_requests"}
_HTTP_MESSAGES = {400: "请求格式错误（无法解析请求体）", 403: "您无权执行此操作", 404: "资源不存在或不在您的管辖范围内",
                  429: "请求过于频繁，请稍后再试"}

# pydantic error types → Chinese explanations; ctx values fill the placeholders.
_PYDANTIC_ZH = {
    "missing": "必填项缺失",
    "string_too_long": "过长，最多{max_length}个字符",
    "string_too_short": "过短，至少{min_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为字符串",
    "literal_error": "不是有效选项，可选：{expected}",
    "enum": "不是有效选项，可选：{expected}",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "应不小于{ge}",
    "less_than_equal": "应不大于{le}",
    "greater_than": "应大于{gt}",
    "less_than": "应小于{lt}",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为数组",
    "too_long": "最多{max_length}项",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "decimal_parsing": "应为金额（数字）",
    "decimal_type": "应为金额（数字）",
    "decimal_max_digits": "数值过大",
    "decimal_max_places": "最多两位小数",
    "decimal_whole_digits": "数值过大",
    "json_invalid": "不是有效的 JSON",
}


def _field_path(loc) -> str:
    parts = list(loc)
    if len(parts) > 1 and parts[0] == "body":
        parts.pop(1)  # the handler's parameter name (``payload``) is not part of the document
    return ".".join(str(p) for p in parts)


def _zh(error: dict) -> str:
    template = _PYDANTIC_ZH.get(error.get("type", ""))
    if error.get("type") == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", ""))).removeprefix("Value error, ")
    if template:
        try:
            return template.format(**error.get("ctx", {}))
        except (KeyError, IndexError, ValueError):
            pass
    return f"格式不正确（{error.get('msg', '')}）"


def validation_body(exc: ValidationError) -> dict:
    errors = [{"field": _field_path(e.get("loc", ())), "message": _zh(e), "type": e.get("type", "")}
              for e in exc.errors]
    fields = list(dict.fromkeys(e["field"] for e in errors))
    named = "、".join(fields[:3]) + ("等" if len(fields) > 3 else "")
    return {"code": "validation_error", "message": f"请求数据格式错误：{named}", "details": {"errors": errors}}


def install_handlers(api: NinjaAPI) -> None:
    def respond(request, body: dict, status: int, **headers):
        response = api.create_response(request, body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return respond(request, exc.as_dict(), exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return respond(request, validation_body(exc), 422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        body = {"code": "unauthorized", "message": UNAUTHORIZED_MESSAGE, "details": {}}
        return respond(request, body, 401, **{"WWW-Authenticate": "Bearer"})

    @api.exception_handler(AuthorizationError)
    def authorization_error(request, exc):
        return respond(request, {"code": "forbidden", "message": _HTTP_MESSAGES[403], "details": {}}, 403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, {"code": "not_found", "message": _HTTP_MESSAGES[404], "details": {}}, 404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status = exc.status_code
        code = _HTTP_CODES.get(status, "error")
        message = _HTTP_MESSAGES.get(status) or str(exc)
        return respond(request, {"code": code, "message": message, "details": {}}, status)
