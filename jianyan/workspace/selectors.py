"""What the workspace pages read. Every read starts from core.access (proposals_visible_to,
get_visible_proposal); what each role may see of a proposal comes from proposals.presenters, the same code
the JSON API uses (blind 双向评议, internal notes...). List reads run a constant number of queries."""

import datetime as dt
from dataclasses import dataclass, field, fields

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from jianyan.core.access import (
    UNIT_ACTIONS,
    get_visible_proposal,
    is_author,
    may_act,
    own_assignment,
    profile_of,
    proposals_visible_to,
    role_of,
    unit_active_assignments,
)
from jianyan.core.errors import NotFound
from jianyan.handling.models import Assignment, CoOpinion, Evaluation, ReturnRequest
from jianyan.people.models import Role, Session
from jianyan.proposals import counts as proposal_counts
from jianyan.proposals.models import (
    DECIDED_STATES,
    TRANSITIONS,
    Attachment,
    Proposal,
    Proposer,
    State,
)
from jianyan.proposals.presenters import (
    DETAIL_RELATIONS,
    Viewer,
    proposal_detail,
    timeline,
    with_list_relations,
)
from jianyan.reports import statistics
from jianyan.supervision.models import KeyProposal

S = State

# ---- members and collective clerks ----------------------------------------------------------------

MEMBER_TABS = {
    "todo": "待我处理",
    "drafts": "草稿与修改",
    "active": "审查与办理中",
    "done": "已办结与已处理",
    "all": "全部",
}
ACTIVE_STATES = {S.SUBMITTED, S.REGISTERED, S.ASSIGNED, S.RETURN_REQUESTED, S.HANDLING, S.REPLY_AUDIT, S.REPLIED,
                 S.REHANDLING}


def authored_q(user) -> Q:
    """Proposals the user writes: their own, or their organisation's when they are its clerk."""
    q = Q(created_by=user)
    profile = profile_of(user)
    if profile and profile.role == Role.CLERK and profile.organisation_id:
        q |= Q(organisation_id=profile.organisation_id)
    return q


def own_entry_q(user, prefix: str = "") -> Q:
    """The user's own proposer entry (the clerk rates for the organisation's entry)."""
    profile = profile_of(user)
    if profile and profile.role == Role.CLERK and profile.organisation_id:
        return Q(**{f"{prefix}organisation_id": profile.organisation_id})
    return Q(**{f"{prefix}user": user})


def with_member_flags(qs: QuerySet[Proposal], user) -> QuerySet[Proposal]:
    """Annotate what waits for the user: a co-signature to give, a rating to give."""
    return qs.annotate(
        cosign_pending=Exists(Proposer.objects.filter(
            proposal=OuterRef("pk"), user=user, role=Proposer.Role.COSIGNER, status=Proposer.Status.PENDING)),
        is_rater=Exists(Proposer.objects.filter(own_entry_q(user), proposal=OuterRef("pk"),
                                                status=Proposer.Status.ACCEPTED)),
        rated=Exists(Evaluation.objects.filter(own_entry_q(user, "proposer__"), proposal=OuterRef("pk"),
                                               round=OuterRef("round"))),
    )


# A co-signature waits for the user (on a queryset with_member_flags).
INVITED = Q(state=S.COSIGNING, cosign_pending=True)


def todo_q(user) -> Q:
    return (
        (Q(state__in=[S.DRAFT, S.RETURNED]) & authored_q(user))
        | INVITED
        | Q(state=S.REPLIED, is_rater=True, rated=False)
    )


def member_proposals(user, tab: str) -> tuple[QuerySet[Proposal], dict[str, int]]:
    """The member's (or clerk's) own and co-signed proposals for one tab, with the count of every tab."""
    base = with_member_flags(proposals_visible_to(user), user)
    tab_q = {
        "todo": todo_q(user),
        "drafts": Q(state__in=[S.DRAFT, S.COSIGNING, S.RETURNED]),
        "active": Q(state__in=ACTIVE_STATES),
        "done": Q(state__in=[S.CLOSED, *DECIDED_STATES]),
        "all": Q(),
    }
    # "invited" is not a tab: the co-signatures waiting for the user (cosign_invitations), counted here so
    # that the page skips that query when there are none, as for most members most of the time.
    counts = base.aggregate(**{name: Count("pk", filter=q, distinct=True) for name, q in tab_q.items()},
                            invited=Count("pk", filter=INVITED, distinct=True))
    qs = with_list_relations(base.filter(tab_q.get(tab, Q()))).order_by("-created_at", "-id")
    return qs, counts


def waiting_for(p: Proposal, user) -> str:
    """A short line saying what the proposal waits for, from the member's point of view."""
    author = is_author(user, p)
    if p.state == S.DRAFT and author:
        return "待您提交"
    if p.state == S.RETURNED and author:
        return "待您修改后重新提交"
    if p.state == S.COSIGNING:
        return "待您确认联名" if getattr(p, "cosign_pending", False) else "等待联名人确认"
    if p.state == S.REPLIED:
        if getattr(p, "is_rater", False) and not getattr(p, "rated", True):
            return "待您评价办理情况"
        return "等待其他提案人评价"
    return {
        S.SUBMITTED: "等待提案委员会审查", S.REGISTERED: "等待交办", S.ASSIGNED: "等待承办单位签收",
        S.RETURN_REQUESTED: "承办单位申请调整，等待处理", S.HANDLING: "承办单位办理中",
        S.REPLY_AUDIT: "答复审核中", S.REHANDLING: "承办单位重新办理中",
    }.get(p.state, "")


def cosign_invitations(user) -> list[Proposal]:
    """Proposals whose co-signature the user has not given yet, oldest deadline first."""
    qs = (with_member_flags(proposals_visible_to(user), user).filter(INVITED)
          .select_related("created_by__profile", "session__term__committee")
          .order_by("cosign_deadline", "id"))
    return list(qs[:20])


# ---- staff ---------------------------------------------------------------------------------------

QUEUE_STATES = [S.SUBMITTED, S.RETURNED, S.REGISTERED, S.ASSIGNED, S.RETURN_REQUESTED, S.HANDLING, S.REPLY_AUDIT,
                S.REPLIED, S.REHANDLING, S.CLOSED, S.NOT_REGISTERED, S.MERGED, S.CONVERTED]


@dataclass
class QueueFilters:
    session: int | None = None
    state: str = S.SUBMITTED
    theme: int | None = None
    proposer_type: str = ""
    sector: int | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    q: str = ""
    errors: dict = field(default_factory=dict)
    # The statistics page links here with these (reports.statistics defines what each figure counts).
    year: int | None = None
    metric: str = ""
    unit: int | None = None
    unit_mode: str = ""
    organisation: int | None = None
    result_class: str = ""
    evaluation: str = ""
    reason: str = ""

    @classmethod
    def from_query(cls, params) -> "QueueFilters":
        f = cls(state=params.get("state", S.SUBMITTED))
        if f.state not in QUEUE_STATES and f.state != "all":
            f.state = S.SUBMITTED
        for name in ("session", "theme", "sector"):
            raw = params.get(name) or ""
            if raw.isdigit():
                setattr(f, name, int(raw))
        f.proposer_type = params.get("proposer_type") or ""
        for name in ("submitted_from", "submitted_to"):
            raw = params.get(name) or ""
            if raw:
                try:
                    setattr(f, name, dt.date.fromisoformat(raw))
                except ValueError:
                    f.errors[name] = "日期格式应为 年-月-日"
        f.q = (params.get("q") or "").strip()[:100]
        f.read_statistics_filters(params)
        return f

    def read_statistics_filters(self, params) -> None:
        """The filters the statistics page's links use; anything not understood is ignored."""
        for name in ("year", "unit", "organisation"):
            raw = params.get(name) or ""
            if raw.isdigit() and len(raw) <= 9:
                setattr(self, name, int(raw))
        self.metric = params.get("metric", "") if params.get("metric") in statistics.METRICS else ""
        self.unit_mode = params.get("unit_mode", "") if params.get("unit_mode") in Assignment.Mode.values else ""
        raw = params.get("result_class") or ""
        self.result_class = raw if len(raw) == 1 and raw in "ABCD" else ""
        dim, _, value = (params.get("evaluation") or "").partition(":")
        self.evaluation = f"{dim}:{value}" if dim in ("attitude", "result") and value in Evaluation.Value.values else ""
        self.reason = (params.get("reason") or "").strip()[:20]

    def statistics_labels(self) -> list[tuple[str, str, str]]:
        """(parameter, value, label) of the statistics filters in use, shown above the list and kept by the
        form in hidden fields."""
        out = []
        if self.year:
            out.append(("year", str(self.year), f"{self.year}年度"))
        if self.metric:
            out.append(("metric", self.metric, statistics.METRICS[self.metric][0]))
        if self.unit_mode:
            out.append(("unit_mode", self.unit_mode, Assignment.Mode(self.unit_mode).label))
        if self.result_class:
            out.append(("result_class", self.result_class, f"办理结果 {self.result_class} 类"))
        if self.evaluation:
            dim, value = self.evaluation.split(":")
            out.append(("evaluation", self.evaluation,
                        f"{'办理态度' if dim == 'attitude' else '办理结果'}评价为{Evaluation.Value(value).label}"))
        if self.reason:
            out.append(("reason", self.reason, f"不予立案理由 {self.reason}"))
        return out

    def narrows(self) -> bool:
        """Whether anything but the state narrows the list (the state counts then count only what it keeps)."""
        return any(getattr(self, f.name) for f in fields(self) if f.name not in ("state", "errors"))

    def apply(self, qs: QuerySet[Proposal], *, with_state: bool = True) -> QuerySet[Proposal]:
        if self.session:
            qs = qs.filter(session_id=self.session)
        if with_state and self.state != "all":
            qs = qs.filter(state=self.state)
        if self.theme:
            qs = qs.filter(theme_id=self.theme)
        if self.proposer_type:
            qs = qs.filter(proposer_type=self.proposer_type)
        if self.sector:
            qs = qs.filter(proposers__role=Proposer.Role.FIRST, proposers__user__profile__sector_id=self.sector)
        if self.submitted_from:
            qs = qs.filter(submitted_at__date__gte=self.submitted_from)
        if self.submitted_to:
            qs = qs.filter(submitted_at__date__lte=self.submitted_to)
        if self.q:
            qs = qs.filter(search_q(self.q))
        return self.apply_statistics_filters(qs)

    def apply_statistics_filters(self, qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
        """WHERE clauses only (EXISTS sub-queries, no joins that repeat rows): the query count stays the same."""
        if self.year:
            qs = qs.filter(session__year=self.year)
        if self.metric == "overdue" and self.unit:  # the unit's own overdue assignments
            qs = qs.filter(statistics.overdue_q(self.unit))
        elif self.metric:
            qs = qs.filter(statistics.metric_q(self.metric))
        if self.unit:
            qs = qs.filter(statistics.unit_q(self.unit, self.unit_mode))
        if self.organisation:
            qs = qs.filter(organisation_id=self.organisation)
        if self.result_class:
            qs = qs.filter(statistics.result_class_q(self.result_class))
        if self.evaluation:
            qs = qs.filter(statistics.evaluation_q(*self.evaluation.split(":")))
        if self.reason:
            qs = qs.filter(reject_reason__code=self.reason)
        return qs


def search_q(text: str) -> Q:
    q = Q(title__icontains=text) | Q(background__icontains=text)
    digits = text.lstrip("第").rstrip("号").lstrip("0")
    if digits.isdigit():
        q |= Q(number=int(digits))
    return q


def state_counts(user, filters: "QueueFilters | None" = None) -> dict[str, int]:
    """How many of the proposals the user sees (narrowed by the filters) are in each queue state. A committee's
    staff without filters all see the same rows, whose finished part is counted once (proposals.counts)."""
    base = proposals_visible_to(user)
    profile = profile_of(user)
    if (filters is None or not filters.narrows()) and role_of(user) in (Role.STAFF, Role.LEADER):
        counts = proposal_counts.committee_state_counts(base, profile.committee_id)
    else:
        counts = proposal_counts.count_by_state(filters.apply(base, with_state=False) if filters else base)
    return {s: counts.get(s, 0) for s in QUEUE_STATES}


def review_queue(user, filters: QueueFilters) -> tuple[QuerySet[Proposal], dict[str, int]]:
    """Staff's queue: the proposals of the filters, and how many there are in each state."""
    qs = filters.apply(proposals_visible_to(user))
    order = ("submitted_at", "id") if filters.state in (S.SUBMITTED, S.RETURNED) else ("-submitted_at", "-id")
    return with_list_relations(qs).order_by(*order), state_counts(user, filters)


def staff_overview(user) -> dict:
    """How many proposals of the committee wait in each state, for the staff's home page."""
    return state_counts(user)


def current_session(user) -> Session | None:
    profile = profile_of(user)
    if profile is None:
        return None
    return (Session.objects.filter(term__committee_id=profile.committee_id).select_related("term__committee")
            .order_by("-year", "-sitting").first())


def registered_awaiting_assignment(user) -> QuerySet[Proposal]:
    return with_list_relations(proposals_visible_to(user).filter(state=S.REGISTERED)).order_by("session_id", "number")


def return_requests(user) -> QuerySet[ReturnRequest]:
    return (ReturnRequest.objects
            .filter(accepted__isnull=True, assignment__proposal__in=proposals_visible_to(user)
                    .filter(state=S.RETURN_REQUESTED).values("pk"))
            .select_related("assignment__unit", "assignment__proposal__committee", "requested_by__profile")
            .order_by("requested_at", "id"))


def replies_to_audit(user) -> QuerySet[Proposal]:
    return with_list_relations(proposals_visible_to(user).filter(state=S.REPLY_AUDIT)).order_by("updated_at", "id")


def key_proposals(user) -> list[KeyProposal]:
    """Key proposals with their proposals: all of the committee for staff, the ones they lead or supervise
    for a leader."""
    profile = profile_of(user)
    if profile is None:
        return []
    qs = KeyProposal.objects.filter(committee_id=profile.committee_id)
    if profile.role == Role.LEADER:
        qs = qs.filter(Q(lead_leader=user) | Q(supervising_leader=user))
    qs = qs.select_related("session__term__committee", "lead_leader__profile", "supervising_leader__profile")
    keys = list(qs.order_by("-session__year", "id").prefetch_related(
        Prefetch("proposals", queryset=Proposal.objects.select_related("committee")), "activities"))
    for key in keys:
        items = list(key.proposals.all())
        key.items = sorted(items, key=lambda p: (p.number or 0, p.pk))
        done = sum(1 for p in items if p.state in (S.REPLIED, S.CLOSED))
        key.done = done
        key.percent = round(done * 100 / len(items)) if items else 0
    return keys


# ---- units ---------------------------------------------------------------------------------------

UNIT_TABS = {
    "to_sign": "待签收",
    "handling": "办理中",
    "co_opinion": "待会办意见",
    "replied": "已答复",
    "rehandling": "待重新办理",
}


# The proposal states of each tab; the tab's rows are the assignments of proposals in these states (unit_tab_q).
UNIT_TAB_STATES = {
    "to_sign": {S.ASSIGNED, S.RETURN_REQUESTED},
    "handling": {S.ASSIGNED, S.HANDLING, S.REPLY_AUDIT},
    "co_opinion": TRANSITIONS["co_opinion"],
    "replied": {S.REPLIED, S.CLOSED},
    "rehandling": {S.REHANDLING},
}
# The history tab: what the unit replied to, every year of it. The others are the working tabs.
UNIT_HISTORY_TAB = "replied"
UNIT_WORKING_STATES = sorted(set().union(*(states for tab, states in UNIT_TAB_STATES.items()
                                           if tab != UNIT_HISTORY_TAB)))


def unit_tab_q() -> dict[str, Q]:
    in_tab = {tab: Q(proposal__state__in=sorted(states)) for tab, states in UNIT_TAB_STATES.items()}
    return {
        "to_sign": in_tab["to_sign"] & Q(signed_at__isnull=True),
        "handling": in_tab["handling"] & Q(signed_at__isnull=False),
        "co_opinion": in_tab["co_opinion"] & Q(mode=Assignment.Mode.CO)
        & ~Exists(CoOpinion.objects.filter(assignment=OuterRef("pk"))),
        "replied": in_tab["replied"],
        "rehandling": in_tab["rehandling"],
    }


def unit_inbox(user, tab: str) -> tuple[QuerySet[Assignment], dict[str, int]]:
    """The unit's active assignments in one tab of its inbox, with the count of every working tab, and of the
    history tab only when it is the one open."""
    # The counts run on the bare rows: annotating every assignment of every year first made them a subquery
    # with two look-ups per row (45 ms at 1,000,000). They run on the proposals in working states only: the
    # history tab holds every year (a busy unit of a province: 13,600 assignments, and counting them joined
    # all of the committee's proposals, 43 ms on each visit to the inbox); its count comes with its list.
    mine = unit_active_assignments(user)
    tabs = unit_tab_q()
    working = {name: q for name, q in tabs.items() if name != UNIT_HISTORY_TAB}
    counts = mine.filter(proposal__state__in=UNIT_WORKING_STATES).aggregate(
        **{name: Count("pk", filter=q) for name, q in working.items()})
    if tab == UNIT_HISTORY_TAB:
        counts[UNIT_HISTORY_TAB] = mine.filter(tabs[UNIT_HISTORY_TAB]).count()
    order = {"to_sign": ("assigned_at", "id"), "handling": ("due_date", "id"),
             "co_opinion": ("due_date", "id")}.get(tab, ("-proposal__updated_at", "-id"))
    qs = (mine.filter(tabs.get(tab, tabs["to_sign"]))
          .annotate(has_opinion=Exists(CoOpinion.objects.filter(assignment=OuterRef("pk"))),
                    return_pending=Exists(ReturnRequest.objects.filter(assignment=OuterRef("pk"),
                                                                       accepted__isnull=True)))
          .select_related("unit", "proposal__committee", "proposal__theme", "proposal__session__term__committee")
          .order_by(*order))
    return qs, counts


def return_deadline(assignment: Assignment) -> dt.datetime:
    """The end of the last day of the return window, on the working-day calendar (workdays.deadlines)."""
    from jianyan.workdays import deadlines

    return deadlines.end_of_day(deadlines.return_window_end(assignment))


# ---- one proposal --------------------------------------------------------------------------------

PAGE_ACTIONS = [
    "submit", "edit", "cosign", "return", "register", "reject", "convert", "merge", "assign", "sign",
    "request_return", "decide_return", "consult", "co_opinion", "reply", "approve_reply", "send_back_reply",
    "evaluate", "close", "rate_quality",
]


@dataclass
class ProposalPage:
    proposal: Proposal
    detail: dict
    timeline: list
    materials: list
    letters: dict
    actions: set
    my_assignment: Assignment | None
    viewer: Viewer


def visible_attachments(proposal: Proposal, detail: dict) -> tuple[list, dict]:
    """The proposal's supporting files, and the reply letters of the replies this viewer may read."""
    visible_replies = {r["id"] for r in detail["replies"]}
    materials, letters = [], {}
    for a in Attachment.objects.filter(proposal=proposal).order_by("id"):
        if a.kind == Attachment.Kind.MATERIAL:
            materials.append(a)
        elif a.reply_id in visible_replies:
            letters.setdefault(a.reply_id, []).append(a)
    return materials, letters


def proposal_page(user, pk) -> ProposalPage:
    """Everything the proposal page shows to this user, and the actions they may take now."""
    proposal = get_visible_proposal(user, pk, related=DETAIL_RELATIONS)
    viewer = Viewer.of(user)
    assignments = list(proposal.assignments.select_related("unit").order_by("id"))
    detail = proposal_detail(proposal, viewer, loaded=True, assignments=assignments)
    materials, letters = visible_attachments(proposal, detail)
    mine = own_assignment(user, assignments)
    return ProposalPage(proposal=proposal, detail=detail, timeline=timeline(proposal, viewer), materials=materials,
                        letters=letters, actions=actions_for(user, proposal, detail, mine), my_assignment=mine,
                        viewer=viewer)


def actions_for(user, proposal: Proposal, detail: dict, mine: Assignment | None) -> set[str]:
    """The actions the workflow would let this user take in the proposal's current state (TRANSITIONS and
    core.access.may_act), less the ones the data shows are already done (signed, replied, rated)."""
    unit = role_of(user) == Role.UNIT
    allowed = set()
    for action in PAGE_ACTIONS:
        if proposal.state not in TRANSITIONS[action]:
            continue
        # For a unit, may_act is "has an active assignment": known already, without a query per action.
        if (mine is not None) if (unit and action in UNIT_ACTIONS) else may_act(user, action, proposal):
            allowed.add(action)
    if mine is not None:
        if mine.signed_at:
            allowed -= {"sign", "request_return"}
        if mine.mode == Assignment.Mode.CO:
            allowed.discard("reply")
        else:
            allowed.discard("co_opinion")
        if any(r["round"] == proposal.round and r["status"] != "sent_back" for r in detail["replies"]):
            allowed.discard("reply")
        if detail["quality_ratings"]:
            allowed.discard("rate_quality")
        if proposal.state == S.RETURN_REQUESTED:
            allowed.discard("sign")
    if "cosign" in allowed and not any(p["username"] == user.get_username() and p["status"] == "pending"
                                       for p in detail["proposers"]):
        allowed.discard("cosign")
    if "evaluate" in allowed and Evaluation.objects.filter(own_entry_q(user, "proposer__"), proposal=proposal,
                                                           round=proposal.round).exists():
        allowed.discard("evaluate")
    return allowed


def attachment_for(user, proposal_pk, attachment_pk) -> Attachment:
    """An attachment the user may download: of a proposal they may see; a reply letter only where they may
    read the reply itself. Anything else is NotFound, exactly as a missing file."""
    proposal = get_visible_proposal(user, proposal_pk)
    attachment = Attachment.objects.filter(pk=attachment_pk, proposal=proposal).first() if str(
        attachment_pk).isdigit() else None
    if attachment is None:
        raise NotFound()
    if attachment.kind == Attachment.Kind.REPLY_LETTER:
        detail = proposal_detail(proposal, Viewer.of(user))
        if attachment.reply_id not in {r["id"] for r in detail["replies"]}:
            raise NotFound()
    return attachment


# ---- everywhere ----------------------------------------------------------------------------------

def search_proposals(user, text: str) -> QuerySet[Proposal]:
    """The global search: proposals the user may see whose title, text or number matches."""
    qs = proposals_visible_to(user)
    if not text:
        return qs.none()
    return with_list_relations(qs.filter(search_q(text))).order_by("-session__year", "-submitted_at", "-id")


def today() -> dt.date:
    return timezone.localdate()
