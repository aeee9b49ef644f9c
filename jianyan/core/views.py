"""The second-factor pages: set up an authenticator app (QR code as inline SVG) and enter a code."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user

from jianyan.core import otp
from jianyan.core.audit import record
from jianyan.core.security import safe_next

CODE_ERROR = "验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。"


def read_code(request) -> str:
    return "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())[:8]


def qr_svg(url: str) -> str:
    """The otpauth:// address as an SVG QR code (no image file, no external service)."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    if otp.owed(request) == otp.VERIFY:  # a second device may only be bound after passing the first
        return redirect("core:otp_verify")
    device = otp.unconfirmed_device(request.user)
    error = ""
    if request.method == "POST":
        if device.verify_token(read_code(request)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp.mark_verified(request, device)
            record(actor=request.user, action="auth.otp_enabled")
            messages.success(request, "两步验证已开启，今后登录时需输入身份验证器上的验证码。")
            return redirect(safe_next(request, "/workspace/"))
        error = CODE_ERROR
    return render(request, "core/otp_setup.html", {
        "qr": qr_svg(device.config_url), "secret": device.key, "error": error,
        "required": otp.second_factor_required(request.user), "next": safe_next(request, ""),
    })


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    error = ""
    if request.method == "POST":
        code = read_code(request)
        device = next((d for d in devices_for_user(request.user, confirmed=True) if d.verify_token(code)), None)
        if device is not None:
            otp.mark_verified(request, device)
            record(actor=request.user, action="auth.otp_verified")
            return redirect(safe_next(request, "/workspace/"))
        record(actor=request.user, action="auth.otp_failed")
        error = CODE_ERROR
    return render(request, "core/otp_verify.html", {"error": error, "next": safe_next(request, "")})
