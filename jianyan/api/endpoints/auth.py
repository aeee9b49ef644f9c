"""POST /auth/token (username and password -> bearer token), DELETE /auth/token, GET /me."""

from django.contrib.auth import authenticate
from ninja import Router, Status

from jianyan.api.endpoints import responses
from jianyan.api.models import ApiToken
from jianyan.api.schemas import MeOut, TokenIn, TokenOut
from jianyan.api.tokens import revoke_token as revoke_token_of
from jianyan.core.access import profile_of, role_of
from jianyan.core.errors import InvalidInput
from jianyan.core.security import audit_api_login, refuse_password_only_login
from jianyan.people.models import Role

router = Router(tags=["登录"])


@router.post("/auth/token", auth=None, response=responses({200: TokenOut}, 400), operation_id="issueToken",
             summary="用用户名和密码换取访问令牌")
def issue_token(request, payload: TokenIn):
    """Send the token back as `Authorization: Bearer <token>`. Only its hash is stored."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise InvalidInput("用户名或密码错误，或该账号已停用", code="invalid_credentials",
                           fields={"password": "用户名或密码错误"})
    refuse_password_only_login(user)  # a password alone is not enough for an account with a second factor
    _, raw = ApiToken.issue(user, name=payload.name.strip() or "api")
    audit_api_login(request, user)
    return {"token": raw, "username": user.get_username(), "role": role_of(user)}


@router.delete("/auth/token", response=responses({204: None}, 400, 401), operation_id="revokeToken",
               summary="注销当前使用的访问令牌")
def revoke_token(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise InvalidInput("本次请求未使用访问令牌", code="no_token")
    revoke_token_of(actor=request.auth, token_id=token.pk)
    return Status(204, None)


@router.get("/me", response=responses({200: MeOut}, 401), operation_id="me", summary="当前用户")
def me(request):
    user = request.auth
    profile = profile_of(user)
    role = role_of(user)
    return {
        "username": user.get_username(),
        "name": profile.display_name if profile else user.get_username(),
        "role": role,
        "role_label": Role(role).label if role else None,
        "committee": {"id": profile.committee_id, "code": profile.committee.code, "name": profile.committee.name}
        if profile else None,
        "unit": {"id": profile.unit_id, "name": profile.unit.name} if profile and profile.unit_id else None,
        "organisation": {"id": profile.organisation_id, "name": profile.organisation.name}
        if profile and profile.organisation_id else None,
    }
