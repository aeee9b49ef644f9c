"""One proposal: writing and editing it, its page (with the panel of the actions the user may take now),
the actions themselves, and its files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jianyan.core.access import ensure_can, get_visible_proposal, profile_of, role_of
from jianyan.core.errors import DomainError
from jianyan.handling.models import Consultation, Evaluation, QualityRating
from jianyan.handling.workflow import default_due_date
from jianyan.people.models import ReasonCode, Role, Theme, Unit
from jianyan.proposals import attachments
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Attachment, Proposal, State
from jianyan.workspace import selectors
from jianyan.workspace.actions import ACTIONS
from jianyan.workspace.web import (
    Crumb,
    FormState,
    error_status,
    options_html,
    raise_for_access,
    roles_required,
    safe_next,
)

WRITERS = (Role.MEMBER, Role.CLERK)


def crumbs_for(request, page_title: str, proposal: Proposal | None = None) -> list[Crumb]:
    crumbs = [Crumb("工作台", reverse("workspace:home"))]
    if role_of(request.user) == Role.STAFF:
        crumbs.append(Crumb("提案审查", reverse("staff:queue")))
    if proposal is not None and page_title != "提案详情":
        crumbs.append(Crumb(proposal.title[:24], reverse("proposals:detail", args=[proposal.pk])))
    crumbs.append(Crumb(page_title))
    return crumbs


# ---- the proposal page ---------------------------------------------------------------------------

def choices_for(page: selectors.ProposalPage) -> dict:
    """The options of the forms in the action panel: queried only for the forms shown."""
    p, actions = page.proposal, page.actions
    out = {
        "result_classes": p.committee.result_class_codes,
        "consult_forms": Consultation.Form.choices,
        "evaluation_values": Evaluation.Value.choices,
        "dimensions": list(QualityRating.DIMENSIONS.items()),
        "today": timezone.localdate(),
    }
    if "register" in actions:
        out["themes"] = list(Theme.objects.filter(committee_id=p.committee_id).order_by("order", "id"))
    if "reject" in actions:
        out["reasons"] = list(ReasonCode.objects.filter(committee_id=p.committee_id, is_active=True))
    if actions & {"assign", "decide_return"}:
        out["units"] = list(Unit.objects.filter(committee_id=p.committee_id, is_active=True).order_by("id"))
    if "assign" in actions:
        out["default_due"] = default_due_date(p)
    return out


def render_detail(request, pk, *, forms: dict | None = None, status: int = 200):
    try:
        page = selectors.proposal_page(request.user, pk)
    except DomainError as e:
        raise_for_access(e)
        raise
    detail = page.detail
    forms = forms or {}
    # The message of an action that has no form on the page any more (someone acted first) is shown on top.
    orphan = next((f.message for action, f in forms.items() if action not in page.actions), "")
    context = {
        "orphan_error": orphan,
        "page": page, "p": detail, "proposal": page.proposal, "actions": page.actions,
        "pending_replies": [r for r in detail["replies"] if r["status"] == "pending"],
        "open_request": next((r for r in detail["return_requests"] if r["accepted"] is None), None),
        "forms": forms, "choices": choices_for(page), "role": role_of(request.user),
        "crumbs": crumbs_for(request, "提案详情", page.proposal),
    }
    return render(request, "workspace/proposal_detail.html", context, status=status)


@login_required
def detail(request, pk: int):
    return render_detail(request, pk)


@login_required
@require_POST
def act(request, pk: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    try:
        proposal = get_visible_proposal(request.user, pk)
        ensure_can(request.user, action, proposal)
        spec.run(proposal, request.user, request.POST, request.FILES)
    except DomainError as e:
        raise_for_access(e)
        return render_detail(request, pk, forms={action: FormState.from_error(request, e)}, status=error_status(e))
    updated = Proposal.objects.select_related("committee", "merge_host__committee").get(pk=proposal.pk)
    messages.success(request, spec.done(updated))
    default = reverse("staff:queue") if spec.to_queue else reverse("proposals:detail", args=[pk])
    return redirect(safe_next(request, default))


# ---- writing and editing -------------------------------------------------------------------------

def proposal_input(data) -> dict:
    return {
        "title": data.get("title", ""),
        "background": data.get("background", ""),
        "suggestions": data.getlist("suggestions"),
        "contact": data.get("contact", ""),
    }


def cosigner_input(data) -> list[str]:
    return [u.strip() for u in data.getlist("cosigners") if u.strip()]


def member_options(user) -> str:
    """The <option>s of the co-signer inputs' suggestions: the members of the user's committee (one query).
    A committee has ~800 members: built as one string (web.options_html), not by a template loop (~30 ms)."""
    from django.contrib.auth import get_user_model

    profile = profile_of(user)
    members = (get_user_model().objects
               .filter(profile__committee_id=profile.committee_id, profile__role=Role.MEMBER, is_active=True)
               .exclude(pk=user.pk).order_by("username").values_list("username", "profile__display_name"))
    return options_html(members)


def form_context(request, *, proposal=None, state: FormState | None = None, title: str) -> dict:
    profile = profile_of(request.user)
    is_clerk = profile.role == Role.CLERK
    can_cosign = not is_clerk and (proposal is None or (proposal.state == State.DRAFT and not proposal.is_collective))
    if state is None:
        if proposal is not None:
            cosigners = [p.user.username for p in proposal.proposers.select_related("user")
                         if p.role == "cosigner" and p.user_id]
            state = FormState(values={"title": proposal.title, "background": proposal.background,
                                      "contact": proposal.contact, "version": str(proposal.version)},
                              lists={"suggestions": list(proposal.suggestions or []), "cosigners": cosigners})
        else:
            state = FormState()
    suggestions = list(state.lists.get("suggestions") or [])
    while len(suggestions) < 3 or suggestions[-1].strip():
        suggestions.append("")
    cosigners = list(state.lists.get("cosigners") or []) + [""]
    return {
        "proposal": proposal, "f": state, "suggestions": suggestions, "cosigners": cosigners,
        "can_cosign": can_cosign, "is_clerk": is_clerk, "organisation": profile.organisation if is_clerk else None,
        "member_options": member_options(request.user) if can_cosign else "",
        "materials": list(proposal.attachments.filter(kind=Attachment.Kind.MATERIAL)) if proposal else [],
        "max_mb": attachments.max_bytes() // (1024 * 1024), "max_chars": profile.committee.body_max_chars,
        "page_title": title, "crumbs": crumbs_for(request, title, proposal),
    }


@roles_required(*WRITERS, message="只有委员或集体提案经办人可以撰写提案")
def create(request):
    if request.method != "POST":
        return render(request, "workspace/proposal_form.html", form_context(request, title="撰写提案"))
    files = request.FILES.getlist("attachments")
    try:
        for f in files:
            attachments.check_upload(f)
        with transaction.atomic():
            proposal = proposals.create_proposal(actor=request.user, cosigners=cosigner_input(request.POST),
                                                 **proposal_input(request.POST))
            attachments.add_attachments(proposal, actor=request.user, uploads=files)
    except DomainError as e:
        raise_for_access(e)
        return render(request, "workspace/proposal_form.html",
                      form_context(request, state=FormState.from_error(request, e), title="撰写提案"),
                      status=error_status(e))
    return after_save(request, proposal, "草稿已保存。")


@login_required
def edit(request, pk: int):
    try:
        proposal = get_visible_proposal(request.user, pk)
        ensure_can(request.user, "edit", proposal)
    except DomainError as e:
        raise_for_access(e)
        raise
    if proposal.state not in (State.DRAFT, State.RETURNED):
        messages.warning(request, f"提案当前状态为“{proposal.get_state_display()}”，不能再修改。")
        return redirect("proposals:detail", pk=pk)
    if request.method != "POST":
        return render(request, "workspace/proposal_form.html", form_context(request, proposal=proposal, title="修改提案"))
    changes = proposal_input(request.POST)
    if request.POST.get("cosigners_shown"):
        changes["cosigners"] = cosigner_input(request.POST)
    version = request.POST.get("version", "")
    files = request.FILES.getlist("attachments")
    try:
        for f in files:
            attachments.check_upload(f)
        with transaction.atomic():
            proposals.edit_proposal(proposal, actor=request.user, changes=changes,
                                    expected_version=int(version) if version.isdigit() else None)
            for a in proposal.attachments.filter(pk__in=[x for x in request.POST.getlist("remove") if x.isdigit()]):
                attachments.remove_attachment(a, actor=request.user)
            attachments.add_attachments(proposal, actor=request.user, uploads=files)
    except DomainError as e:
        raise_for_access(e)
        return render(request, "workspace/proposal_form.html",
                      form_context(request, proposal=proposal, state=FormState.from_error(request, e),
                                   title="修改提案"), status=error_status(e))
    return after_save(request, proposal, "修改已保存。")


def after_save(request, proposal: Proposal, saved: str):
    """Saved; with the 保存并提交 button, submit too. A refused submission keeps the saved draft."""
    if "submit" not in request.POST:
        messages.success(request, saved)
        return redirect("proposals:detail", pk=proposal.pk)
    try:
        submitted = proposals.submit_proposal(proposal, actor=request.user)
    except DomainError as e:
        raise_for_access(e)
        messages.error(request, f"{saved}但未能提交：{e.message}")
        return redirect("proposals:edit", pk=proposal.pk)
    messages.success(request, ACTIONS["submit"].done(submitted))
    return redirect("proposals:detail", pk=proposal.pk)


# ---- files ---------------------------------------------------------------------------------------

@login_required
def attachment(request, pk: int, attachment_pk: int):
    try:
        a = selectors.attachment_for(request.user, pk, attachment_pk)
    except DomainError as e:
        raise_for_access(e)
        raise
    try:
        handle = a.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在")
    inline = a.file_type != Attachment.FileType.DOCX and request.GET.get("download") != "1"
    response = FileResponse(handle, as_attachment=not inline, filename=a.name,
                            content_type=attachments.CONTENT_TYPES[a.file_type])
    response["Cache-Control"] = "private, no-store"
    return response
