"""The JSON API v1 (contract section 6): one NinjaAPI, its auth, its error handlers and its routers."""

from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import REF_TEMPLATE
from ninja.renderers import JSONRenderer
from ninja.schema import NinjaGenerateJsonSchema

from jianyan.api import errors
from jianyan.api.actions import ACTIONS
from jianyan.api.endpoints import assist, auth, notifications, proposals, reference
from jianyan.api.security import BearerToken, SessionAuth

DESCRIPTION = """建言（Jianyan）提案工作平台的 JSON 接口。

认证：`POST /api/v1/auth/token` 以用户名和密码换取令牌，之后在请求头中发送
`Authorization: Bearer <令牌>`；已登录的浏览器会话同样有效（修改类请求须带 `X-CSRFToken`）。

错误一律为 JSON：`{"error": {"code", "message", "fields"?}}`。400 请求有误，401 未登录，
403 可见但无权操作，404 不存在或无权查看，409 与当前状态冲突或已被他人修改。"""


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class JianyanAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
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
