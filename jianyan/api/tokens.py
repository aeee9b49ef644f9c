"""Creating and revoking a user's API tokens (from the profile page or the API); each change is audited."""

from django.db import transaction
from django.utils import timezone

from jianyan.api.models import ApiToken
from jianyan.core.access import profile_of
from jianyan.core.audit import record
from jianyan.core.errors import InvalidInput, InvalidState, NotFound

MAX_ACTIVE_TOKENS = 20


def tokens_of(user):
    """The user's tokens, active first, newest first."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-id")


def clean_token_name(name: str) -> str:
    name = (name or "").strip().replace("\x00", "")
    if not name:
        raise InvalidInput("请为令牌起一个名称，如“数据分析脚本”", fields={"name": "必填"})
    if len(name) > 100:
        raise InvalidInput("令牌名称最多 100 个字", fields={"name": "内容过长（最多 100）"})
    return name


def create_token(*, actor, name: str) -> tuple[ApiToken, str]:
    """Issue a named token for the actor; the raw secret is returned once and only its hash is kept."""
    name = clean_token_name(name)
    with transaction.atomic():
        if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise InvalidInput(f"每位用户最多保留 {MAX_ACTIVE_TOKENS} 个有效令牌，请先撤销不再使用的令牌")
        token, raw = ApiToken.issue(actor, name=name)
        profile = profile_of(actor)
        record(actor=actor, action="api_token.created", committee=profile.committee if profile else None,
               data={"token": token.pk, "name": name, "prefix": token.prefix})
    return token, raw


def revoke_token(*, actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; someone else's token is 404, an already revoked one 409."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=actor, pk=token_id).first()
        if token is None:
            raise NotFound("没有这个令牌")
        if token.revoked_at is not None:
            raise InvalidState("该令牌已撤销")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        profile = profile_of(actor)
        record(actor=actor, action="api_token.revoked", committee=profile.committee if profile else None,
               data={"token": token.pk, "name": token.name, "prefix": token.prefix})
    return token
