"""The JSON API v1 (contract section 6): one NinjaAPI, its auth, its error handlers and its routers."""

from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import REF_TEMPLATE
from ninja.renderers import JSONRenderer
from ninja.schema import NinjaGenerateJsonSchema

from jianyan.api import errors
from jianyan.api.actions import ACTIONS
from jianyan.api.endpoints import assist, auth, notifications, proposals, public, reference
from jianyan.api.ratelimit import ApiRateLimit
from jianyan.api.security import BearerToken, SessionAuth

DESCRIPTION = """建言（Jianyan）提案工作平台的 JSON 接口。

认证：`POST /api/v1/auth/token` 以用户名和密码换取令牌，之后在请求头中发送
`Authorization: Bearer <令牌>`；已登录的浏览器会话同样有效（修改类请求须带 `X-CSRFToken`）。

错误一律为 JSON：`{"error": {"code", "message", "fields"?}}`。400 请求有误，401 未登录，
403 可见但无权操作，404 不存在或无权查看，409 与当前状态冲突或已被他人修改，
429 请求过于频繁（按令牌或登录用户计数，匿名请求按 IP 计数；响应头 `Retry-After` 给出需等待的秒数）。

令牌可在网站“个人设置 → 接口令牌”中创建、命名和撤销；令牌只在创建时显示一次，服务器只保存其散列值。"""


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


UNSAFE_METHODS = {"post", "put", "patch", "delete"}
ERROR_DESCRIPTIONS = {
    400: "请求参数或内容有误（`fields` 指出有误的字段）",
    401: "未登录：缺少、无效或已撤销的访问令牌",
    403: "可见但无权执行（浏览器会话的修改类请求缺少 CSRF 令牌时也是 403）",
    404: "记录不存在或您无权查看",
    409: "与当前状态冲突或已被他人修改",
    413: "请求内容过大",
    429: "请求过于频繁；`Retry-After` 响应头给出需等待的秒数",
    503: "功能暂不可用",
}
ERROR_REF = {"$ref": f"{REF_TEMPLATE.format(model='ErrorOut')}"}
RETRY_AFTER = {"Retry-After": {"description": "需等待的秒数", "schema": {"type": "integer", "minimum": 1}}}


def generic_errors(method: str, operation: dict) -> set[int]:
    """The errors any operation of this shape can answer with, whatever it does:
    429 always (rate limits); 401 when it needs a login, and 403 too for unsafe methods (CSRF of a browser
    session); 400 when it reads query parameters or a body (and 413 for a body); 404 when the path names a record."""
    where = {p.get("in") for p in operation.get("parameters", [])}
    statuses = {429}
    if operation.get("security"):
        statuses.add(401)
        if method in UNSAFE_METHODS:
            statuses.add(403)
    if "query" in where or "requestBody" in operation:
        statuses.add(400)
    if "requestBody" in operation:
        statuses.add(413)
    if "path" in where:
        statuses.add(404)
    return statuses


def declare_errors(schema: dict) -> None:
    """Every operation declares every error status it can give, each with the one error body (ErrorOut)."""
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in generic_errors(method, operation):
                responses.setdefault(status, {})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["description"] = ERROR_DESCRIPTIONS.get(int(status), "请求失败")
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
                    if int(status) == 429:
                        response["headers"] = RETRY_AFTER
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))


class JianyanAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_errors(schema)
        # The action bodies are read by hand (the body depends on the action), so add their schemas here.
        components = schema["components"]["schemas"]
        for action in ACTIONS.values():
            body = action.body.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema)
            components.update(body.pop("$defs", {}))
            components[action.body.__name__] = body
        return schema


api = JianyanAPI(
    title="建言 Jianyan API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionAuth()],
    throttle=[ApiRateLimit()],
    renderer=ChineseJSONRenderer(),
    # Swagger UI from ninja's own static files; no validator badge (it would call validator.swagger.io).
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)
api.add_router("", auth.router)
api.add_router("", proposals.router)
api.add_router("", reference.router)
api.add_router("", notifications.router)
api.add_router("", assist.router)
api.add_router("", public.router)
