"""Who may see and do what. Every read of a proposal goes through `proposals_visible_to` or
`get_visible_proposal`; every workflow function calls `ensure_can`. A record the user may not
see raises NotFound (404) exactly as a missing one does; a visible one they may not act on
raises NotAllowed (403)."""

from django.db.models import Q, QuerySet

from jianyan.core.errors import NotAllowed, NotFound
from jianyan.handling.models import Assignment
from jianyan.people.models import Profile, Role
from jianyan.proposals.models import PRE_SUBMISSION_STATES, Proposal, Proposer

STAFF_ACTIONS = {
    "return", "register", "reject", "convert", "merge", "assign", "decide_return",
    "approve_reply", "send_back_reply", "close", "designate_key",
    "decide_extension",
}
PROPOSER_ACTIONS = {"submit", "edit", "evaluate"}
UNIT_ACTIONS = {"sign", "request_return", "consult", "co_opinion", "reply", "rate_quality"}
UNIT_ACTIONS |= {"request_extension"}
ACTION_LABELS = {
    "submit": "提交", "edit": "修改", "cosign": "联名确认", "return": "退回修改", "register": "立案",
    "reject": "不予立案", "convert": "转意见建议", "merge": "并案", "assign": "交办", "sign": "签收",
    "request_return": "申请退回", "decide_return": "处理退回申请", "consult": "沟通协商",
    "co_opinion": "会办意见", "reply": "答复", "approve_reply": "审核通过答复", "send_back_reply": "退回答复",
    "evaluate": "评价", "close": "办结", "rate_quality": "评议提案质量", "designate_key": "设为重点提案",
    "request_extension": "申请延期", "decide_extension": "审批延期申请",
}


def profile_of(user) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def role_of(user) -> str | None:
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    profile = profile_of(user)
    return profile.role if profile else None


def proposer_filter(user) -> Q:
    """Proposals where the user is a proposer: in person, or as the clerk of the collective proposer.

    One `id IN (... UNION ...)` of index look-ups: an OR across the join to the proposers (with DISTINCT)
    made PostgreSQL scan every proposal, 2 s at 1,000,000 (bench/load_bench.py), against 4 ms."""
    # A co-signer who declined or was dropped is no longer a proposer and stops seeing the draft.
    ids = Proposer.objects.filter(
        user=user, status__in=[Proposer.Status.PENDING, Proposer.Status.ACCEPTED]).order_by().values("proposal_id")
    ids = ids.union(Proposal.objects.filter(created_by=user).order_by().values("id"))
    profile = profile_of(user)
    if profile and profile.role == Role.CLERK and profile.organisation_id:
        ids = ids.union(Proposal.objects.filter(organisation_id=profile.organisation_id).order_by().values("id"))
    return Q(pk__in=ids)


def proposals_seen_by_staff(committee_id: int) -> QuerySet[Proposal]:
    """What a committee's staff and leaders see: everything but drafts, which stay private to their authors
    until submitted. Also what the command line searches."""
    return Proposal.objects.filter(committee_id=committee_id).exclude(state__in=PRE_SUBMISSION_STATES)


def proposals_visible_to(user) -> QuerySet[Proposal]:
    role = role_of(user)
    qs = Proposal.objects.all()
    if role is None:
        return qs.none()
    if role == Role.ADMIN:
        return qs
    profile = profile_of(user)
    if role in (Role.STAFF, Role.LEADER):
        return proposals_seen_by_staff(profile.committee_id)
    if role == Role.UNIT:
        return qs.filter(pk__in=unit_active_assignments(user).values("proposal_id"))
    if role in (Role.MEMBER, Role.CLERK):
        return qs.filter(proposer_filter(user))
    return qs.none()


def unit_active_assignments(user) -> QuerySet[Assignment]:
    """A unit liaison's active assignments within the unit's committee: what makes a proposal visible to a
    unit, and the rows of its inbox."""
    profile = profile_of(user)
    if profile is None or profile.role != Role.UNIT:
        return Assignment.objects.none()
    return Assignment.objects.filter(unit_id=profile.unit_id, is_active=True,
                                     proposal__committee_id=profile.committee_id).order_by()


def get_visible_proposal(user, pk, *, related=("committee", "session__term")) -> Proposal:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound()
    proposal = proposals_visible_to(user).filter(pk=pk).select_related(*related).first()
    if proposal is None:
        raise NotFound()
    return proposal


def is_proposer(user, proposal: Proposal) -> bool:
    """A proposer who acts for the proposal: its author, an accepted co-signer, or its organisation's clerk."""
    if proposal.created_by_id == user.pk:
        return True
    profile = profile_of(user)
    if profile and profile.role == Role.CLERK and proposal.organisation_id == profile.organisation_id:
        return True
    return Proposer.objects.filter(proposal=proposal, user=user, status=Proposer.Status.ACCEPTED).exists()


def is_author(user, proposal: Proposal) -> bool:
    """The one who edits and submits: the first proposer, or a clerk of the collective proposer."""
    if proposal.created_by_id == user.pk:
        return True
    profile = profile_of(user)
    return bool(profile and profile.role == Role.CLERK and proposal.organisation_id
                and proposal.organisation_id == profile.organisation_id)


def unit_assignments(user, proposal: Proposal):
    profile = profile_of(user)
    if not profile or profile.role != Role.UNIT:
        return proposal.assignments.none()
    return proposal.assignments.filter(unit_id=profile.unit_id, is_active=True)


def own_assignment(user, assignments) -> Assignment | None:
    """The unit liaison's active assignment among a proposal's assignments already read (as unit_assignments)."""
    profile = profile_of(user)
    if not profile or profile.role != Role.UNIT:
        return None
    return next((a for a in assignments if a.unit_id == profile.unit_id and a.is_active), None)


def is_staff_of(user, committee_id: int) -> bool:
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    profile = profile_of(user)
    return role == Role.STAFF and profile.committee_id == committee_id


def can_see(user, proposal: Proposal) -> bool:
    return proposals_visible_to(user).filter(pk=proposal.pk).exists()


def may_act(user, action: str, proposal: Proposal) -> bool:
    if action in STAFF_ACTIONS:
        return is_staff_of(user, proposal.committee_id)
    if action in ("submit", "edit"):
        return is_author(user, proposal)
    if action == "evaluate":
        return is_proposer(user, proposal)
    if action == "cosign":
        return Proposer.objects.filter(proposal=proposal, user=user, role=Proposer.Role.COSIGNER).exists()
    if action in UNIT_ACTIONS:
        return unit_assignments(user, proposal).exists() or (action == "consult" and is_staff_of(user, proposal.committee_id))
    return False


def ensure_can(user, action: str, proposal: Proposal) -> None:
    """404 if the user cannot see the proposal, 403 if they can but may not do this."""
    if not can_see(user, proposal):
        raise NotFound()
    if not may_act(user, action, proposal):
        raise NotAllowed(f"您无权对该提案执行“{ACTION_LABELS.get(action, action)}”操作")
