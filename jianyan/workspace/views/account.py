"""Everywhere: notifications, the global search, password change, API tokens and the large-font mode (适老化)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jianyan.api import tokens as api_tokens_service
from jianyan.core.errors import DomainError, InvalidState, NotFound
from jianyan.notifications.models import Notification
from jianyan.workspace import selectors
from jianyan.workspace.context import FONT_COOKIE
from jianyan.workspace.web import Crumb, is_htmx, paginate, render_results, safe_next


def home_crumb() -> Crumb:
    return Crumb("工作台", reverse("workspace:home"))


@login_required
def notifications(request):
    only_unread = request.GET.get("show") == "unread"
    qs = Notification.objects.filter(user=request.user).order_by("-at", "-id")
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    return render(request, "workspace/notifications.html", {
        "page": paginate(request, qs), "only_unread": only_unread,
        "crumbs": [home_crumb(), Crumb("通知")],
    })


@login_required
def notification_go(request, pk: int):
    """Open a notification: it is marked read and the user goes to its proposal."""
    n = get_object_or_404(Notification, pk=pk, user=request.user)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    if n.proposal_id:
        return redirect("proposals:detail", pk=n.proposal_id)
    return redirect("workspace:notifications")


@login_required
@require_POST
def notification_read(request, pk: int):
    n = get_object_or_404(Notification, pk=pk, user=request.user)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    if is_htmx(request):
        return render(request, "workspace/notifications.html#item", {"n": n})
    return redirect(safe_next(request, reverse("workspace:notifications")))


@login_required
@require_POST
def notifications_read_all(request):
    n = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"已将 {n} 条通知标为已读。" if n else "没有未读通知。")
    return redirect("workspace:notifications")


@login_required
def search(request):
    q = (request.GET.get("q") or "").strip()[:100]
    page = paginate(request, selectors.search_proposals(request.user, q))
    context = {"q": q, "page": page, "crumbs": [home_crumb(), Crumb("搜索")]}
    return render_results(request, "workspace/search.html", context)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改，请牢记新密码。")
        return redirect("workspace:home")
    return render(request, "workspace/password_change.html", {
        "form": form, "crumbs": [home_crumb(), Crumb("修改密码")],
    }, status=400 if form.errors else 200)


@require_POST
def font_size(request):
    """Switch the large-font mode (适老化) on or off; remembered in a cookie for a year."""
    large = request.POST.get("size") == "large"
    response = redirect(safe_next(request, reverse("workspace:home") if request.user.is_authenticated else "/"))
    response.set_cookie(FONT_COOKIE, "large" if large else "normal", max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True, secure=request.is_secure())
    messages.info(request, "已切换为大字模式。" if large else "已恢复标准字号。")
    return response


@login_required
def api_tokens(request):
    """The profile's API tokens: create a named one (its secret is shown on this answer only), list, revoke."""
    created, raw, error, status = None, "", "", 200
    if request.method == "POST":
        try:
            created, raw = api_tokens_service.create_token(actor=request.user, name=request.POST.get("name", ""))
            status = 201
        except DomainError as e:
            error, status = e.message, 400
    return render(request, "workspace/api_tokens.html", {
        "tokens": api_tokens_service.tokens_of(request.user), "created": created, "raw_token": raw,
        "error": error, "name": request.POST.get("name", "")[:100] if error else "",
        "crumbs": [home_crumb(), Crumb("接口令牌")],
    }, status=status)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    try:
        token = api_tokens_service.revoke_token(actor=request.user, token_id=pk)
    except NotFound:
        raise Http404("没有这个令牌")
    except InvalidState as e:
        messages.info(request, e.message)
    else:
        messages.success(request, f"令牌“{token.name}”已撤销，使用它的程序将无法再访问接口。")
    return redirect("workspace:api_tokens")
