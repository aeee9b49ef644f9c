"""Security events: logins, failed logins, logouts, admin changes and exports go into the audit trail, and a
locked-out login gets a Chinese answer (a page for the browser, JSON for the API)."""

import time

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from jianyan.core.audit import record

LOCKED_MESSAGE = "登录失败次数过多，账号或来源地址已被暂时锁定。请{minutes}分钟后再试，或联系系统管理员解锁。"
MAX_LOGGED_USERNAME = 150


def client_ip(request) -> str:
    if request is None:
        return ""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def cool_off_minutes() -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    return max(1, int(cool_off.total_seconds() // 60)) if cool_off else 30


def lockout_message() -> str:
    return LOCKED_MESSAGE.format(minutes=cool_off_minutes())


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: HTTP 429 with the error shape of the API, or the lockout page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": lockout_message()}}, status=429,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "core/locked_out.html", {"message": lockout_message()}, status=429)


def is_locked_out(request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


@receiver(user_logged_in, dispatch_uid="jianyan.audit.login")
def audit_login(sender, request, user, **kwargs):
    record(actor=user, action="auth.login", data={"ip": client_ip(request), "via": via(request)})


@receiver(user_logged_out, dispatch_uid="jianyan.audit.logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action="auth.logout", data={"ip": client_ip(request)})


@receiver(user_login_failed, dispatch_uid="jianyan.audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:MAX_LOGGED_USERNAME]
    record(actor=None, action="auth.login_failed",
           data={"username": username, "ip": client_ip(request), "via": via(request),
                 "locked_out": is_locked_out(request) if request is not None else False})


def via(request) -> str:
    return "api" if request is not None and request.path.startswith("/api/") else "web"


@receiver(post_save, sender=LogEntry, dispatch_uid="jianyan.audit.admin")
def audit_admin_change(sender, instance: LogEntry, created: bool, **kwargs):
    """Every change made in the Django admin (Django writes a LogEntry for each) is also an audit event."""
    if not created:
        return
    kind = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}.get(
        instance.action_flag, "other")
    record(actor=instance.user, action=f"admin.{kind}",
           note=str(instance.object_repr)[:200],
           data={"model": instance.content_type.model if instance.content_type_id else "",
                 "object_id": str(instance.object_id or ""), "change": instance.get_change_message()[:500]})


class AuditDownloadsMiddleware:
    """Records every file a logged-in user takes away (any response sent as an attachment: exports,
    documents, uploaded files), so the trail shows exports without each view remembering to log them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "") if hasattr(response, "get") else ""
        user = getattr(request, "user", None)
        if (response.status_code == 200 and disposition.startswith("attachment")
                and user is not None and user.is_authenticated):
            record(actor=user, action="export", data={"path": request.path[:300],
                                                     "query": request.META.get("QUERY_STRING", "")[:300],
                                                     "file": disposition[:300], "ip": client_ip(request)})
        return response


def audit_api_login(request, user) -> None:
    """A token issued for a password is a login too (the API does not call auth.login)."""
    record(actor=user, action="auth.login", data={"ip": client_ip(request), "via": "api"})


def refuse_password_only_login(user) -> None:
    """An account with a confirmed second factor (or one that must have it) gets API tokens from the
    web page, after the code; the password alone would bypass the second factor."""
    from jianyan.core import otp
    from jianyan.core.errors import InvalidInput

    if otp.owed_at_login(user) != otp.OK:
        raise InvalidInput("该账号已开启两步验证，请登录网页完成验证后在“访问令牌”页面创建令牌",
                           code="second_factor_required")


class IdleSessionMiddleware:
    """The idle timeout: a session lives SESSION_COOKIE_AGE (30 min) after it was last saved, and an active
    one is saved again at most once a minute. SESSION_SAVE_EVERY_REQUEST would do the same with a database
    write on every single request."""

    TOUCH_EVERY_SECONDS = 60
    KEY = "jy_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and "_auth_user_id" in session:
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.TOUCH_EVERY_SECONDS:
                session[self.KEY] = now  # modified: saved with a new expiry at the end of the request
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="jianyan.session.seen")
def session_seen_at_login(sender, request, user, **kwargs):
    """Logging in saves the session anyway: note the time, so the next minute's requests write nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[IdleSessionMiddleware.KEY] = int(time.time())


def safe_next(request, default: str) -> str:
    """The ?next= (or posted next) address if it stays on this site, else the default: no open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default
