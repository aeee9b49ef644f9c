"""Fixed-window rate limits kept in Django's cache: per API token (or logged-in user) and per IP address
for anonymous callers. The limits are settings (JIANYAN_API_RATE_LIMITS, "requests/seconds").

The counter lives in the cache named by JIANYAN_RATE_LIMIT_CACHE (default: the `default` cache, which is
the per-process local-memory cache unless CACHES says otherwise; several server processes share counts only
through a shared cache such as the database cache)."""

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from ninja.throttling import BaseThrottle

DEFAULT_LIMITS = {"token": "600/60", "anonymous": "60/60"}


@dataclass(frozen=True)
class Limit:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        requests, _, seconds = str(text).partition("/")
        return cls(max(int(requests), 1), max(int(seconds or 60), 1))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the current window ends


def hit(scope: str, ident: str, limit: Limit, *, now: float | None = None) -> Verdict:
    """Count one request of `ident` in the current window of `limit`; allowed while within the limit."""
    cache = caches[getattr(settings, "JIANYAN_RATE_LIMIT_CACHE", "default")]
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    key = f"jy-rate:{scope}:{ident}:{limit.seconds}:{window}"
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds + 1)
        count = 1
    retry_after = max(1, math.ceil((window + 1) * limit.seconds - now))
    return Verdict(count <= limit.requests, count, retry_after)


def client_ip(request) -> str:
    """REMOTE_ADDR, or with JIANYAN_NUM_PROXIES trusted proxies in front, the address they saw."""
    proxies = getattr(settings, "JIANYAN_NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))][:64]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def configured_limit(scope: str) -> Limit:
    limits = {**DEFAULT_LIMITS, **getattr(settings, "JIANYAN_API_RATE_LIMITS", {})}
    return Limit.parse(limits[scope])


def caller_of(request) -> tuple[str, str]:
    """(scope, identity): the token, else the logged-in user (browser session), else the IP address."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return "token", f"t{token.pk}"
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "pk", None):
        return "token", f"u{auth.pk}"
    return "anonymous", client_ip(request)


class ApiRateLimit(BaseThrottle):
    """ninja's throttle hook (run after authentication): 429 with Retry-After once a caller's window is full."""

    def __init__(self) -> None:
        self._last = threading.local()  # wait() is asked right after allow_request(), on the same thread

    def allow_request(self, request) -> bool:
        scope, ident = caller_of(request)
        verdict = hit(f"api-{scope}", ident, configured_limit(scope))
        self._last.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return getattr(self._last, "retry_after", None)
