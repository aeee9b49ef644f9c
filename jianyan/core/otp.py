"""The second factor (TOTP, django-otp): a user with a confirmed authenticator app enters its 6-digit code
after the password; with JIANYAN_OTP_REQUIRED=1 staff, leaders and admins must set one up first.

What a session still owes is decided once, at login, and kept in the session ("ok", "verify", "setup"),
so ordinary requests cost no extra query."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from jianyan.core.access import role_of

SESSION_KEY = "jy_2fa"
OK, VERIFY, SETUP = "ok", "verify", "setup"
ROLES_THAT_MAY_BE_REQUIRED = {"staff", "leader", "admin"}
EXEMPT_PREFIXES = ("/account/2fa/", "/logout/", "/static/", "/login/")


def has_confirmed_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    return bool(settings.JIANYAN_OTP_REQUIRED) and (user.is_superuser or role_of(user) in ROLES_THAT_MAY_BE_REQUIRED)


def owed_at_login(user) -> str:
    if has_confirmed_device(user):
        return VERIFY
    if second_factor_required(user):
        return SETUP
    return OK


@receiver(user_logged_in, dispatch_uid="jianyan.otp.login")
def decide_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = owed_at_login(user)


def owed(request) -> str:
    """What this session still owes; a session from before this feature is assessed once."""
    state = request.session.get(SESSION_KEY)
    if state is None:
        state = owed_at_login(request.user)
        request.session[SESSION_KEY] = state
    return state


class SecondFactorMiddleware:
    """Holds a logged-in session at the code page (or the set-up page) until it has done what it owes.
    The API answers such a session with 401 instead; bearer tokens are not sessions and pass."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            state = owed(request)
            if state != OK:
                return self.hold(request, state)
        return self.get_response(request)

    @staticmethod
    def hold(request, state: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "second_factor_required",
                                           "message": "请先在网页上完成两步验证"}}, status=401,
                                json_dumps_params={"ensure_ascii": False})
        target = reverse("core:otp_verify" if state == VERIFY else "core:otp_setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def mark_verified(request, device) -> None:
    from django_otp import login as otp_login

    otp_login(request, device)
    request.session[SESSION_KEY] = OK


def unconfirmed_device(user) -> TOTPDevice:
    """The device being set up: one unconfirmed TOTP device per user, made on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device
