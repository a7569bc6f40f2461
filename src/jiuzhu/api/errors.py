"""Every error leaves the API as ``{"code", "message", "details"}`` with a fitting status."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    ValidationError,
)

from jiuzhu.core.uploads import size_text
from jiuzhu.core.validation import error_list
from jiuzhu.rules.errors import DomainError, TooManyRequests


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


def _field_path(loc) -> str:
    parts = list(loc)
    if len(parts) > 1 and parts[0] == "body":
        parts.pop(1)  # the handler's parameter name (``payload``) is not part of the document
    return ".".join(str(p) for p in parts)


def validation_body(exc: ValidationError) -> dict:
    errors = error_list(exc.errors, path=_field_path)
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

    @api.exception_handler(TooManyRequests)
    def too_many_requests(request, exc: TooManyRequests):
        return respond(request, exc.as_dict(), 429, **{"Retry-After": str(exc.details.get("retry_after", 60))})

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

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = {"code": "too_large", "message": f"请求体过大，不能超过 {size_text(limit)}（附件和数据文件请在网页上传）",
                "details": {"limit_bytes": limit}}
        return respond(request, body, 413)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status = exc.status_code
        code = _HTTP_CODES.get(status, "error")
        message = _HTTP_MESSAGES.get(status) or str(exc)
        return respond(request, {"code": code, "message": message, "details": {}}, status)
