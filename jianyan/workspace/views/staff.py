"""The proposal committee's pages: the review queue, batch assignment (交办会), return requests, reply
audit and key proposals. Decisions on one proposal are taken on its page (views.proposals)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import reverse

from jianyan.core.access import profile_of, proposals_visible_to
from jianyan.core.errors import DomainError, InvalidInput
from jianyan.handling import workflow as handling
from jianyan.people.models import Organisation, Role, Sector, Session, Theme, Unit
from jianyan.proposals.models import REGISTERED_STATES, ProposerType, State
from jianyan.supervision import workflow as supervision
from jianyan.workdays.status import annotate_proposals
from jianyan.workspace import selectors
from jianyan.workspace.actions import unit_plan
from jianyan.workspace.web import (
    Crumb,
    FormState,
    error_status,
    paginate,
    raise_for_access,
    render_results,
    staff_required,
)

User = get_user_model()


def home_crumb() -> Crumb:
    return Crumb("工作台", reverse("workspace:home"))


@staff_required
def queue(request):
    """The review queue with filters and the count of proposals in each state; keyboard-friendly."""
    filters = selectors.QueueFilters.from_query(request.GET)
    qs, counts = selectors.review_queue(request.user, filters)
    page = paginate(request, qs)
    annotate_proposals(page.object_list)  # the 正常/临期/超期 badge of each row
    committee_id = profile_of(request.user).committee_id
    context = {
        "filters": filters, "counts": counts, "page": page,
        "states": [(s, State(s).label) for s in selectors.QUEUE_STATES],
        "sessions": Session.objects.filter(term__committee_id=committee_id).select_related("term__committee")
        .order_by("-year", "-sitting"),
        "themes": Theme.objects.filter(committee_id=committee_id).order_by("order", "id"),
        "sectors": Sector.objects.filter(committee_id=committee_id).order_by("id"),
        "proposer_types": ProposerType.choices,
        "units": Unit.objects.filter(committee_id=committee_id).order_by("id"),
        "organisation_name": Organisation.objects.filter(pk=filters.organisation, committee_id=committee_id)
        .values_list("name", flat=True).first() if filters.organisation else "",
        "crumbs": [home_crumb(), Crumb("提案审查")],
    }
    return render_results(request, "workspace/staff_queue.html", context)


@staff_required
def assign(request):
    """Batch assignment (交办会): a lead unit and co-handling units for each registered proposal at once."""
    state = FormState()
    row_errors: dict[int, str] = {}
    if request.method == "POST":
        chosen = [int(x) for x in request.POST.getlist("proposal") if x.isdigit()]
        done = 0
        for proposal in proposals_visible_to(request.user).filter(pk__in=chosen, state=State.REGISTERED):
            try:
                handling.assign_proposal(proposal, actor=request.user, units=unit_plan(request.POST, f"p{proposal.pk}-"),
                                         due_date=request.POST.get("due_date", ""), note="交办会批量交办")
                done += 1
            except DomainError as e:
                raise_for_access(e)
                row_errors[proposal.pk] = e.message
        if not chosen:
            row_errors[0] = "请勾选要交办的提案"
        elif not done and not row_errors:
            messages.warning(request, "所选提案已不在待交办状态（可能已由他人交办），请刷新后查看。")
        if done:
            messages.success(request, f"已交办 {done} 件提案，承办单位将收到签收通知。")
        if not row_errors:
            return redirect("staff:assign")
        state = FormState.from_error(request, InvalidInput(
            "部分提案未能交办，请按提示修改后重试" if done else "未能交办，请按提示修改后重试"))
    page = paginate(request, selectors.registered_awaiting_assignment(request.user), per_page=30)
    units = list(Unit.objects.filter(committee_id=profile_of(request.user).committee_id, is_active=True).order_by("id"))
    return render(request, "workspace/staff_assign.html", {
        "page": page, "units": units, "f": state, "row_errors": row_errors,
        "crumbs": [home_crumb(), Crumb("交办")],
    }, status=400 if row_errors else 200)


@staff_required
def returns(request):
    page = paginate(request, selectors.return_requests(request.user))
    return render(request, "workspace/staff_returns.html", {
        "page": page, "crumbs": [home_crumb(), Crumb("退回申请")]})


@staff_required
def audit(request):
    page = paginate(request, selectors.replies_to_audit(request.user))
    annotate_proposals(page.object_list)
    return render(request, "workspace/staff_audit.html", {"page": page, "crumbs": [home_crumb(), Crumb("答复审核")]})


@staff_required
def key_proposals(request):
    """Key proposals (重点提案): designate a topic with its proposals and leaders; see their progress."""
    profile = profile_of(request.user)
    state = FormState()
    status = 200
    if request.method == "POST":
        try:
            designate(request, profile.committee_id)
        except DomainError as e:
            raise_for_access(e)
            state, status = FormState.from_error(request, e), error_status(e)
        else:
            messages.success(request, "重点提案已确定，领办、督办领导可在看板上查看办理进度。")
            return redirect("staff:key_proposals")
    session = selectors.current_session(request.user)
    return render(request, "workspace/staff_key_proposals.html", {
        "keys": selectors.key_proposals(request.user), "f": state, "session": session,
        "sessions": Session.objects.filter(term__committee_id=profile.committee_id).select_related("term__committee")
        .order_by("-year", "-sitting"),
        "candidates": proposals_visible_to(request.user).filter(state__in=REGISTERED_STATES, is_key=False)
        .select_related("committee", "session").order_by("-session__year", "number")[:500],
        "leaders": User.objects.filter(profile__committee_id=profile.committee_id, profile__role=Role.LEADER,
                                       is_active=True).select_related("profile").order_by("id"),
        "crumbs": [home_crumb(), Crumb("重点提案")],
    }, status=status)


def designate(request, committee_id: int):
    data = request.POST
    session = Session.objects.filter(pk=int(data["session"]) if data.get("session", "").isdigit() else 0,
                                     term__committee_id=committee_id).select_related("term__committee").first()
    if session is None:
        raise InvalidInput("请选择会次", fields={"session": "请选择会次"})
    ids = [int(x) for x in data.getlist("proposals") if x.isdigit()]
    chosen = list(proposals_visible_to(request.user).filter(pk__in=ids))
    if len(chosen) != len(ids) or not ids:
        raise InvalidInput("请选择本政协已立案的提案", fields={"proposals": "请选择提案"})
    leaders = {str(u.pk): u for u in User.objects.filter(profile__committee_id=committee_id,
                                                          profile__role=Role.LEADER)}
    supervision.designate_key_proposal(
        actor=request.user, session=session, topic=data.get("topic", ""), proposals=chosen,
        lead_leader=leaders.get(data.get("lead_leader", "")),
        supervising_leader=leaders.get(data.get("supervising_leader", "")), plan=data.get("plan", ""),
    )
