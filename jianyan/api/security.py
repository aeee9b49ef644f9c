"""Who is calling: a bearer token (`Authorization: Bearer jy_...`) or the browser's Django session.

A session is only trusted for unsafe methods with a valid CSRF token, as in the rest of the site."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_backends
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from jianyan.api.models import ApiToken, hash_token
from jianyan.core.errors import NotAllowed

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
LAST_USED_PRECISION = dt.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def may_log_in(user) -> bool:
    """Ask the backends that judge users, as a password login would (demo accounts are refused in production).

    Backends without `user_can_authenticate` (axes, which only counts failures) have no say."""
    checks = [check for backend in get_backends() if (check := getattr(backend, "user_can_authenticate", None))]
    if not checks:
        return bool(user.is_active)
    return any(check(user) for check in checks)


class BearerToken(HttpBearer):
    """An API token issued by POST /api/v1/auth/token; revoked tokens and inactive users are refused."""

    def authenticate(self, request, token: str):
        token = (token or "").strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        row = (ApiToken.objects.select_related("user__profile")
               .filter(key_hash=hash_token(token), revoked_at__isnull=True).first())
        if row is None or not may_log_in(row.user):
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        request.user = row.user
        request.api_token = row
        return row.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token (header X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)  # also tells the docs page to send the CSRF token

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise NotAllowed("CSRF 校验失败，请刷新页面后重试", code="csrf_failed")
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return self(request)
