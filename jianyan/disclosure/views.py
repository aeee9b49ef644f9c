"""The staff's publication pages (选择公开的提案: consent, approve, redact with a preview, withdraw, mark
secret) and the proposer's consent page. Every change goes through disclosure.workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jianyan.core.access import get_visible_proposal, is_proposer, profile_of
from jianyan.core.errors import DomainError, InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.disclosure import forms, redaction, selectors, workflow
from jianyan.disclosure.models import Publication
from jianyan.workspace.web import Crumb, FormState, paginate, raise_for_access, staff_required


def crumbs(*more: Crumb) -> list[Crumb]:
    return [Crumb("工作台", reverse("workspace:home")), Crumb("提案公开", reverse("disclosure:manage")), *more]


@staff_required
def manage(request):
    """Replied and closed proposals with consent, secret marker and publication; filter by what to do."""
    committee = profile_of(request.user).committee
    show = request.GET.get("show", "")
    if show not in selectors.STAFF_FILTERS:
        show = ""
    page = paginate(request, selectors.publication_candidates(committee, show))
    rows = [selectors.staff_row(p) for p in page.object_list]
    return render(request, "portal/staff_publications.html", {
        "page": page, "rows": rows, "show": show, "filters": selectors.STAFF_FILTERS.items(),
        "consent_required": committee.publish_consent_required, "crumbs": crumbs()[:1] + [Crumb("提案公开")],
    })


def editor_context(proposal, publication, *, redactions, state: FormState | None = None, preview=None) -> dict:
    sources = redaction.sources_of(proposal)
    return {
        "proposal": proposal, "publication": publication, "sources": sources,
        "editor": forms.editor_text(redactions), "preview": preview, "form": state or FormState(),
        "is_public": bool(publication and publication.status == Publication.Status.PUBLISHED),
        "consent_required": proposal.committee.publish_consent_required,
        "crumbs": crumbs(Crumb(proposal.title[:20])), "mask": redaction.MASK,
    }


def current_publication(proposal) -> Publication | None:
    return Publication.objects.filter(proposal=proposal).first()


@staff_required
def edit(request, pk: int):
    """One proposal: the redaction editor with its preview, and the decisions (approve, withdraw, secret)."""
    try:
        proposal = get_visible_proposal(request.user, pk)
        workflow.ensure_staff(request.user, proposal)
    except DomainError as e:
        raise_for_access(e)
    if proposal.state not in workflow.PUBLISHABLE_STATES:
        raise_for_access(NotFound())
    publication = current_publication(proposal)
    if request.method != "POST":
        return render(request, "portal/staff_publication_edit.html",
                      editor_context(proposal, publication, redactions=publication.redactions if publication else {}))
    wanted = forms.redactions_from(request.POST)
    action = request.POST.get("action", "preview")
    try:
        if action == "preview":
            sources = redaction.sources_of(proposal)
            cleaned = redaction.clean_redactions(wanted, sources)
            return render(request, "portal/staff_publication_edit.html",
                          editor_context(proposal, publication, redactions=cleaned,
                                         preview=redaction.redacted(sources, cleaned)))
        if action == "approve":
            workflow.approve_publication(proposal, actor=request.user, redactions=wanted)
            messages.success(request, "已批准公开。公众现在可以看到隐去处理后的提案和答复。")
        elif action == "update":
            if publication is None:
                raise InvalidState("该提案尚未公开")
            workflow.update_redactions(publication, actor=request.user, redactions=wanted)
            messages.success(request, "已更新公开内容。")
        else:
            raise InvalidInput("未知的操作")
    except DomainError as e:
        raise_for_access(e)
        state = FormState.from_error(request, e)
        return render(request, "portal/staff_publication_edit.html",
                      editor_context(proposal, publication, redactions=wanted, state=state), status=e.status
                      if e.status in (400, 409) else 400)
    return redirect("disclosure:edit", pk=proposal.pk)


@staff_required
@require_POST
def withdraw(request, pk: int):
    return decide(request, pk, lambda p: workflow.withdraw_publication(
        current_publication(p) or Publication(proposal=p), actor=request.user, note=request.POST.get("note", "")),
        "已撤回公开。")


@staff_required
@require_POST
def secret(request, pk: int):
    return decide(request, pk, lambda p: workflow.mark_secret(p, actor=request.user,
                                                              note=request.POST.get("note", "")),
                  "已标记为涉密：该提案不会在任何公开渠道出现。")


def decide(request, pk: int, change, done: str):
    try:
        proposal = get_visible_proposal(request.user, pk)
        change(proposal)
        messages.success(request, done)
    except DomainError as e:
        raise_for_access(e)
        messages.error(request, e.message)
    return redirect("disclosure:edit", pk=pk)


@login_required
def consent(request, pk: int):
    """The proposer agrees (or no longer agrees) that the proposal and its reply may be published."""
    try:
        proposal = get_visible_proposal(request.user, pk)
        if not is_proposer(request.user, proposal):
            raise NotAllowed("只有提案人可以决定是否同意公开")
        if request.method == "POST":
            if request.POST.get("consent") == "yes":
                workflow.give_publish_consent(proposal, actor=request.user)
                messages.success(request, "您已同意公开该提案及其答复。提案委员会将审核后公开。")
            else:
                workflow.revoke_publish_consent(proposal, actor=request.user)
                messages.success(request, "您已撤回公开同意。")
            return redirect("disclosure:consent", pk=pk)
    except DomainError as e:
        raise_for_access(e)
        messages.error(request, e.message)
    return render(request, "portal/consent.html", {
        "proposal": proposal, "publication": current_publication(proposal),
        "crumbs": [Crumb("工作台", reverse("workspace:home")), Crumb("公开同意")],
    })
