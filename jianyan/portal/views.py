from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from jianyan.core.access import get_visible_proposal, proposals_visible_to, role_of
from jianyan.core.errors import NotFound
from jianyan.people.models import Role
from jianyan.proposals.selectors import timeline_of


def home(request):
    return render(request, "portal/home.html")


@login_required
def workspace(request):
    proposals = (
        proposals_visible_to(request.user)
        .select_related("committee", "session__term__committee", "theme")
        .order_by("-session__year", "number", "-id")[:200]
    )
    role = role_of(request.user)
    return render(request, "portal/workspace.html", {"proposals": proposals, "role_label": Role(role).label if role else ""})


@login_required
def proposal_detail(request, pk: int):
    try:
        proposal = get_visible_proposal(request.user, pk)
    except NotFound:
        raise Http404("提案不存在或您无权查看")
    return render(request, "portal/proposal.html", {"proposal": proposal, "timeline": timeline_of(proposal)})
