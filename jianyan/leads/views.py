"""The leads pages: the public form (no login), staff moderation, and members browsing and drafting from leads."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jianyan.api.ratelimit import Limit, client_ip, hit
from jianyan.core.access import role_of
from jianyan.core.errors import DomainError, InvalidInput
from jianyan.leads import selectors, workflow
from jianyan.leads.challenge import check_challenge, new_challenge
from jianyan.leads.models import Lead, LeadDraft
from jianyan.people.models import Committee, Role
from jianyan.workspace.web import Crumb, paginate, raise_for_access, roles_required, staff_required

FORM_FIELDS = ("topic", "description", "contact")


def form_page(request, *, values=None, errors=None, message="", status=200):
    committees = list(Committee.objects.order_by("id"))
    return render(request, "leads/submit.html", {
        "committees": committees, "values": values or {}, "errors": errors or {}, "message": message,
        "challenge": new_challenge(), "limits": workflow,
    }, status=status)


def chosen_committee(request) -> Committee | None:
    code = (request.POST.get("committee") or "").strip()[:32]
    committees = Committee.objects.order_by("id")
    return committees.filter(code=code).first() if code else committees.first()


def submit(request):
    """Anyone may send a lead: plain text, a small sum to answer, limited per address."""
    if request.method != "POST":
        return form_page(request)
    values = {name: request.POST.get(name, "")[:5000] for name in (*FORM_FIELDS, "committee")}
    verdict = hit("lead", client_ip(request), Limit.parse(settings.JIANYAN_LEAD_RATE_LIMIT))
    if not verdict.allowed:
        minutes = max(1, verdict.retry_after // 60)
        response = form_page(request, values=values, status=429,
                             message=f"您提交得过于频繁，请约 {minutes} 分钟后再试。")
        response["Retry-After"] = str(verdict.retry_after)
        return response
    try:
        check_challenge(token=request.POST.get("challenge", ""), answer=request.POST.get("answer", ""),
                        honeypot=request.POST.get("website", ""))
        committee = chosen_committee(request)
        if committee is None:
            raise InvalidInput("请选择政协", fields={"committee": "请选择政协"})
        workflow.submit_lead(committee=committee, topic=values["topic"], description=values["description"],
                             contact=values["contact"], ip=client_ip(request))
    except DomainError as e:
        return form_page(request, values=values, errors=e.fields or {}, message=e.message, status=400)
    return redirect("leads:thanks")


def thanks(request):
    return render(request, "leads/thanks.html")


def leads_crumb() -> Crumb:
    return Crumb("提案线索", reverse("leads:browse"))


@staff_required
def moderate(request):
    status = request.GET.get("status") or Lead.Status.PENDING
    if status not in Lead.Status.values:
        status = Lead.Status.PENDING
    page = paginate(request, selectors.leads_to_moderate(request.user, status).select_related("moderated_by"))
    return render(request, "leads/moderate.html", {
        "page": page, "status": status, "statuses": Lead.Status.choices,
        "crumbs": [Crumb("工作台", reverse("workspace:home")), Crumb("线索审核")],
    })


@staff_required
@require_POST
def decide(request, pk: int):
    decision = request.POST.get("decision")
    try:
        lead = selectors.get_lead_for(request.user, pk)
        if decision == "accept":
            workflow.accept_lead(lead, actor=request.user, note=request.POST.get("note", ""))
            messages.success(request, f"线索第{lead.pk}号已采纳，委员可以浏览并据此撰写提案。")
        elif decision == "reject":
            workflow.reject_lead(lead, actor=request.user, note=request.POST.get("note", ""))
            messages.success(request, f"线索第{lead.pk}号已标为未采纳。")
        else:
            messages.error(request, "请选择“采纳”或“不采纳”。")
    except DomainError as e:
        raise_for_access(e)
        messages.error(request, e.message)
    return redirect(f"{reverse('leads:moderate')}?status={Lead.Status.PENDING}")


@roles_required(Role.MEMBER, Role.CLERK, Role.STAFF, message="提案线索供委员、集体提案经办人和提案委员会工作人员查看")
def browse(request):
    page = paginate(request, selectors.accepted_leads_for(request.user))
    return render(request, "leads/browse.html", {"page": page, "crumbs": [
        Crumb("工作台", reverse("workspace:home")), Crumb("提案线索")]})


@login_required
def detail(request, pk: int):
    try:
        lead = selectors.get_lead_for(request.user, pk)
    except DomainError as e:
        raise_for_access(e)
        raise
    mine = LeadDraft.objects.filter(lead=lead, created_by=request.user).select_related("proposal").first()
    return render(request, "leads/detail.html", {
        "lead": lead, "my_draft": mine, "is_staff": workflow.is_staff_of(request.user, lead.committee_id),
        "may_draft": lead.status == Lead.Status.ACCEPTED and role_of(request.user) in workflow.DRAFTING_ROLES,
        "drafts": lead.drafts.count(),
        "crumbs": [Crumb("工作台", reverse("workspace:home")), leads_crumb(), Crumb(f"线索第{lead.pk}号")],
    })


@login_required
@require_POST
def draft(request, pk: int):
    try:
        lead = selectors.get_lead_for(request.user, pk)
        proposal = workflow.draft_from_lead(lead, actor=request.user)
    except DomainError as e:
        raise_for_access(e)
        messages.error(request, e.message)
        return redirect("leads:detail", pk=pk)
    messages.success(request, "已根据线索生成提案草稿，请补充完善后提交。")
    return redirect("proposals:edit", pk=proposal.pk)
