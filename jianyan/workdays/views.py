"""Pages for deadlines: a unit asks for an extension, staff decide it (on the proposal page or in the list
of pending requests), staff see what is overdue, and every user sets how they are notified."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jianyan.core.access import get_visible_proposal, profile_of
from jianyan.core.errors import DomainError
from jianyan.handling import workflow
from jianyan.handling.models import Extension
from jianyan.notifications import events
from jianyan.notifications.models import Preference
from jianyan.workdays import deadlines, status
from jianyan.workspace.web import Crumb, paginate, raise_for_access, safe_next, staff_required

BOOLEAN = {"1": True, "0": False}


def visible(request, pk: int):
    """The proposal if this user may see it; a 404 page otherwise (missing and forbidden alike)."""
    try:
        return get_visible_proposal(request.user, pk)
    except DomainError as error:
        raise_for_access(error)
        raise


def proposal_url(pk: int) -> str:
    return reverse("proposals:detail", args=[pk]) + "#dl-title"


@login_required
@require_POST
def request_extension(request, pk: int):
    proposal = visible(request, pk)
    try:
        ext = workflow.request_extension(proposal, actor=request.user, due_date=request.POST.get("due_date", ""),
                                         reason=request.POST.get("reason", ""))
    except DomainError as error:
        raise_for_access(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"延期申请已提交（申请延至{ext.requested_due_date:%Y年%-m月%-d日}），等待提案委员会审批。")
    return redirect(proposal_url(proposal.pk))


@login_required
@require_POST
def decide_extension(request, pk: int):
    ext = get_object_or_404(Extension.objects.select_related("assignment"), pk=pk)
    proposal = visible(request, ext.assignment.proposal_id)
    try:
        ext = workflow.decide_extension(proposal, actor=request.user, extension=ext.pk,
                                        approve=BOOLEAN.get(request.POST.get("approve", "")),
                                        due_date=request.POST.get("due_date", ""), note=request.POST.get("note", ""))
    except DomainError as error:
        raise_for_access(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"已批准延期至{ext.granted_due_date:%Y年%-m月%-d日}。" if ext.granted_due_date
                         else "已作不予延期处理，并已通知承办单位。")
    return redirect(safe_next(request, proposal_url(proposal.pk)))


@staff_required
def extensions(request):
    committee = profile_of(request.user).committee
    qs = (Extension.objects.filter(assignment__proposal__committee=committee, status=Extension.Status.PENDING)
          .select_related("assignment__unit", "assignment__proposal__session__term__committee").order_by("requested_at"))
    page = paginate(request, qs)
    for e in page.object_list:
        e.limit = deadlines.extension_limit(e.assignment, committee)
    return render(request, "workdays/extensions.html", {"page": page, "crumbs": [
        Crumb("工作台", "/workspace/"), Crumb("延期申请")]})


@staff_required
def overdue(request):
    committee = profile_of(request.user).committee
    qs = (status.overdue_assignments(committee).select_related("unit", "proposal__committee",
                                                                 "proposal__session__term__committee")
          .order_by("due_date", "id"))
    page = paginate(request, qs)
    status.annotate_assignments(page.object_list)
    return render(request, "workdays/overdue.html", {"page": page, "crumbs": [
        Crumb("工作台", "/workspace/"), Crumb("超期未复")]})


@login_required
def preferences(request):
    pref, _ = Preference.objects.get_or_create(user=request.user)
    groups = events.choices()
    if request.method == "POST":
        valid = {key for key, _ in groups}
        pref.email_events = [k for k in request.POST.getlist("email") if k in valid]
        pref.sms_events = [k for k in request.POST.getlist("sms") if k in valid]
        pref.daily_digest = request.POST.get("daily_digest") == "1"
        pref.save(update_fields=["email_events", "sms_events", "daily_digest"])
        messages.success(request, "通知设置已保存。")
        return redirect("workdays:preferences")
    profile = profile_of(request.user)
    rows = [(key, label, key in pref.email_events, key in pref.sms_events) for key, label in groups]
    return render(request, "workdays/preferences.html", {
        "pref": pref, "rows": rows, "email": request.user.email, "phone": profile.phone if profile else "",
        "crumbs": [Crumb("工作台", "/workspace/"), Crumb("通知设置")]})
