"""Every error of the API is JSON: {"error": {"code", "message", "fields"?}}, the message in Chinese.

400 bad input, 401 not logged in, 403 visible but not allowed, 404 missing or not visible, 405 wrong
method, 409 state conflict. No input, however malformed, gives a 500: parsing failures are 400s, and
the catch-all handler still answers in JSON (and logs) if something unforeseen breaks."""

import logging
from functools import wraps

import pydantic
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jianyan.core.errors import DomainError

logger = logging.getLogger("jianyan.api")

MESSAGES = {
    400: "请求内容有误",
    401: "请先登录（请提供有效的访问令牌或登录后再试）",
    403: "您无权执行此操作",
    404: "记录不存在或您无权查看",
    405: "不支持该请求方法",
    409: "操作与提案当前状态冲突，请刷新后重试",
    413: "请求内容过大",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后重试",
    503: "数据库暂时不可用，请稍后重试",
}
CODES = {
    400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 429: "throttled", 500: "server_error",
    503: "unavailable",
}

# Chinese wording of pydantic's error types, for the "fields" of a 400.
FIELD_MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "不支持的字段",
    "string_type": "应为文字",
    "string_too_long": "内容过长",
    "string_too_short": "不能为空",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "too_long": "条目过多",
    "too_short": "至少需要一项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "enum": "取值无效",
    "literal_error": "取值无效",
    "value_error": "取值无效",
}


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorOut(Schema):
    """The body of every 4xx/5xx answer."""

    error: ErrorBody


def error_payload(status: int, message: str | None = None, *, code: str | None = None, fields=None) -> dict:
    body = {"code": code or CODES.get(status, "error"), "message": message or MESSAGES.get(status, "请求失败")}
    if fields:
        body["fields"] = {str(k): str(v) for k, v in fields.items()}
    return {"error": body}


def json_error(status: int, message: str | None = None, *, code: str | None = None, fields=None) -> JsonResponse:
    return JsonResponse(error_payload(status, message, code=code, fields=fields), status=status,
                        json_dumps_params={"ensure_ascii": False})


def field_message(error: dict) -> str:
    kind = error.get("type", "")
    text = FIELD_MESSAGES.get(kind, "取值无效")
    ctx = error.get("ctx") or {}
    if kind == "enum" and ctx.get("expected"):
        text += f"，可选：{ctx['expected']}"
    elif kind in ("less_than_equal", "less_than") and "le" in ctx:
        text += f"（不超过 {ctx['le']}）"
    elif kind in ("less_than_equal", "less_than") and "lt" in ctx:
        text += f"（小于 {ctx['lt']}）"
    elif kind in ("greater_than_equal", "greater_than") and "ge" in ctx:
        text += f"（不小于 {ctx['ge']}）"
    elif kind in ("string_too_long", "too_long") and "max_length" in ctx:
        text += f"（最多 {ctx['max_length']}）"
    elif kind == "value_error" and ctx.get("error"):
        text = str(ctx["error"])
    return text


def field_name(loc, body_params=("payload", "data", "body")) -> str:
    """("body", "payload", "units", 0, "mode") -> "units.0.mode"; ("query", "page") -> "page"."""
    parts = list(loc)
    source = parts.pop(0) if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form") else None
    if source == "body" and parts and parts[0] in body_params:
        parts.pop(0)
    return ".".join(str(p) for p in parts) or (source or "body")


def fields_from_errors(errors) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(field_name(error.get("loc", ())), field_message(error))
    return fields


def install(api) -> None:
    """Register the handlers on a NinjaAPI; the most specific class of an exception wins."""

    def respond(request, status, message=None, *, code=None, fields=None, headers=None):
        response = api.create_response(request, error_payload(status, message, code=code, fields=fields),
                                       status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    def on_domain_error(request, exc: DomainError):
        return respond(request, exc.status, exc.message, code=exc.code, fields=exc.fields)

    def on_validation_error(request, exc: ValidationError):
        errors = list(exc.errors)
        if errors and all(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
            return respond(request, 404)  # /proposals/abc names nothing that could exist
        return respond(request, 400, "请求参数有误，请检查后重试", fields=fields_from_errors(errors))

    def on_authentication_error(request, exc):
        return respond(request, 401, headers={"WWW-Authenticate": 'Bearer realm="jianyan"'})

    def on_http_error(request, exc: HttpError):
        status = exc.status_code
        if status == 400 and "parse" in str(exc).lower():
            return respond(request, 400, "请求内容不是有效的 JSON", code="malformed")
        return respond(request, status)

    def on_http404(request, exc):
        return respond(request, 404)

    def on_bad_value(request, exc):
        # ValueError and friends escaping the parsing of a request: the input was bad, not the server.
        logger.warning("bad input on %s %s: %r", request.method, request.path, exc)
        return respond(request, 400, "请求参数无效")

    def on_too_big(request, exc):
        return respond(request, 413)

    def on_integrity_error(request, exc):
        logger.warning("integrity error on %s %s: %r", request.method, request.path, exc)
        return respond(request, 409, "数据已被他人修改或与已有记录冲突，请刷新后重试")

    def on_database_unavailable(request, exc):
        # The database is restarting or unreachable: say so and when to retry (core/outage.py does the same
        # for the pages); the next request after it is back succeeds on a new connection.
        logger.warning("database unavailable on %s %s: %r", request.method, request.path, exc)
        return respond(request, 503, headers={"Retry-After": "30"})

    def on_unexpected(request, exc):
        logger.exception("unexpected error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500)

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_http404)
    api.add_exception_handler(ValueError, on_bad_value)  # includes JSONDecodeError, UnicodeDecodeError
    # Inputs are validated into ninja's ValidationError or InvalidInput; a bare pydantic error is an answer
    # that does not fit its declared schema: the server's fault, not the client's (pydantic's is a ValueError).
    api.add_exception_handler(pydantic.ValidationError, on_unexpected)
    api.add_exception_handler(OverflowError, on_bad_value)
    api.add_exception_handler(RecursionError, on_bad_value)
    api.add_exception_handler(DataError, on_bad_value)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(SuspiciousOperation, on_bad_value)
    # A form body that cannot be parsed (multipart without a boundary...), read by whoever touches request.POST.
    api.add_exception_handler(MultiPartParserError, on_bad_value)
    api.add_exception_handler(IntegrityError, on_integrity_error)
    api.add_exception_handler(OperationalError, on_database_unavailable)
    api.add_exception_handler(InterfaceError, on_database_unavailable)
    api.add_exception_handler(Exception, on_unexpected)


def json_fallbacks(view):
    """Wrap one of ninja's URL views: its plain-text 405 and the HTML 404 of its root become JSON."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return json_error(404)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = json_error(405)
            if allowed:
                response["Allow"] = allowed
        return response

    return wrapper


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that names no endpoint."""
    return json_error(404, "接口不存在", code="no_such_endpoint")
