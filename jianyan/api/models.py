import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "jy_"  # noqa: S105 (a marker, not a secret)
VISIBLE_PREFIX_LENGTH = 10  # "jy_" and 7 characters of the secret: enough to tell tokens apart, useless to an attacker


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 and its first characters (to recognise it in the list) are stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100, default="api")
    prefix = models.CharField("令牌开头", max_length=VISIBLE_PREFIX_LENGTH, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, user, name: str = "api") -> tuple["ApiToken", str]:
        """A new token for the user; the raw secret is returned once and never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:VISIBLE_PREFIX_LENGTH], key_hash=hash_token(raw))
        return token, raw
