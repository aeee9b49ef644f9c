"""Deadline status of open items: 正常 (green), 临期 (yellow: at most N working days left, N from the
committee's DeadlinePolicy) or 超期 (red: the due date has passed). Read-only selectors; the daily scan
(workdays.scan) and the lists use them, and statistics may call `overdue_assignments`."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jianyan.handling.models import Assignment, CoOpinion, Reply
from jianyan.proposals.models import State
from jianyan.workdays import deadlines
from jianyan.workdays.calendar import calendar_for

NORMAL, NEAR, OVERDUE = "normal", "near", "overdue"
LABELS = {NORMAL: "正常", NEAR: "临期", OVERDUE: "超期"}
CSS = {NORMAL: "good", NEAR: "warn", OVERDUE: "danger"}  # the badge tones of jianyan.css: green, yellow, red

OPEN_HANDLING_STATES = [State.ASSIGNED, State.RETURN_REQUESTED, State.HANDLING, State.REPLY_AUDIT, State.REHANDLING]


@dataclass(frozen=True)
class DeadlineStatus:
    level: str
    due: dt.date
    days_left: int  # working days from `on` to `due`; negative when overdue
    what: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.level]

    @property
    def css(self) -> str:
        return CSS[self.level]

    @property
    def text(self) -> str:
        if self.level == OVERDUE:
            return f"超期{-self.days_left}个工作日" if self.days_left else "今日到期已过"
        return "今天到期" if self.days_left == 0 else f"剩{self.days_left}个工作日"


def status_for(due: dt.date, committee, on: dt.date | None = None, what: str = "") -> DeadlineStatus:
    on = on or timezone.localdate()
    left = calendar_for(committee).working_days_between(on, due)
    if on > due:
        level = OVERDUE
        left = min(left, -1) if left >= 0 else left  # overdue across a weekend still reads as overdue
    elif left <= deadlines.policy_for(committee).near_due_working_days:
        level = NEAR
    else:
        level = NORMAL
    return DeadlineStatus(level, due, left, what)


# ---- assignments (the unit's items: sign, handle, co-opinion) --------------------------------

def assignment_deadline(a: Assignment, committee, *, has_opinion: bool | None = None) -> tuple[str, dt.date] | None:
    """What the unit must do next on this assignment and by when; None when nothing is due."""
    state = a.proposal.state
    if not a.is_active or state not in OPEN_HANDLING_STATES:
        return None
    if a.signed_at is None and state in (State.ASSIGNED, State.RETURN_REQUESTED):
        return "签收", deadlines.return_window_end(a, committee)
    if a.mode == Assignment.Mode.CO:
        if has_opinion is None:
            has_opinion = a.co_opinions.exists()
        return None if has_opinion else ("会办意见", deadlines.co_opinion_due(a, committee))
    if state == State.REPLY_AUDIT:
        return None  # the reply is with the staff
    if state == State.REHANDLING:
        return "重新办理", a.rehandling_due_date or a.due_date
    return "办理答复", a.due_date


def annotate_assignments(assignments, on: dt.date | None = None) -> None:
    """Give each assignment a `.deadline` (DeadlineStatus or None). The calendar and policy are loaded once
    per committee, so a page of any length costs the same few queries (has_opinion should be annotated)."""
    committees: dict[int, object] = {}
    for a in assignments:
        committee = committees.setdefault(a.proposal.committee_id, a.proposal.committee)
        item = assignment_deadline(a, committee, has_opinion=getattr(a, "has_opinion", None))
        a.deadline = status_for(item[1], committee, on, item[0]) if item else None
        a.return_deadline = deadlines.end_of_day(deadlines.return_window_end(a, committee))


def overdue_assignments(committee, on: dt.date | None = None) -> QuerySet[Assignment]:
    """Active lead or separate assignments whose (re)handling deadline has passed by `on` (today) with no
    approved reply of the current round: the 超期 items for statistics and the escalation scan."""
    on = on or timezone.localdate()
    approved = Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("proposal__round"),
                                    status=Reply.Status.APPROVED)
    late = (Q(proposal__state=State.REHANDLING, rehandling_due_date__lt=on)
            | (~Q(proposal__state=State.REHANDLING) & Q(due_date__lt=on)))
    return (Assignment.objects.filter(proposal__committee=committee, is_active=True,
                                      mode__in=[Assignment.Mode.LEAD, Assignment.Mode.SEPARATE],
                                      proposal__state__in=OPEN_HANDLING_STATES)
            .filter(late).exclude(Exists(approved)))


def open_assignments(committee) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(proposal__committee=committee, is_active=True,
                                      proposal__state__in=OPEN_HANDLING_STATES)
            .annotate(has_opinion=Exists(CoOpinion.objects.filter(assignment=OuterRef("pk"))))
            .select_related("unit", "proposal__committee", "proposal__session"))


# ---- proposals (the lists of staff and members) ----------------------------------------------

SEVERITY = {OVERDUE: 0, NEAR: 1, NORMAL: 2}


def cached_committee(p):
    """The proposal's committee if the list query brought it along (directly or through its session)."""
    cache = p._state.fields_cache
    if "committee" in cache:
        return cache["committee"]
    session = cache.get("session")
    term = session._state.fields_cache.get("term") if session else None
    committee = term._state.fields_cache.get("committee") if term else None
    return committee if committee is not None and committee.pk == p.committee_id else None


def most_urgent(statuses: list[DeadlineStatus]) -> DeadlineStatus | None:
    return min(statuses, key=lambda s: (SEVERITY[s.level], s.days_left), default=None)


def annotate_proposals(proposals, on: dt.date | None = None) -> None:
    """Give each proposal a `.deadline`: the most urgent of its open items (review, signing, handling,
    co-opinions, evaluation), or None. A fixed number of queries for the whole page."""
    from django.db.models import Max

    from jianyan.people.models import Committee

    rows = list(proposals)
    if not rows:
        return
    committees = {c.pk: c for c in map(cached_committee, rows) if c is not None}
    missing = {p.committee_id for p in rows} - set(committees)
    if missing:
        committees.update(Committee.objects.in_bulk(missing))
    open_ids = [p.pk for p in rows if p.state in OPEN_HANDLING_STATES]
    by_proposal: dict[int, list[Assignment]] = {}
    if open_ids:
        for a in (Assignment.objects.filter(proposal_id__in=open_ids, is_active=True)
                  .annotate(has_opinion=Exists(CoOpinion.objects.filter(assignment=OuterRef("pk"))))):
            by_proposal.setdefault(a.proposal_id, []).append(a)
    replied_ids = [p.pk for p in rows if p.state == State.REPLIED]
    replied_at = dict(Reply.objects.filter(proposal_id__in=replied_ids, status=Reply.Status.APPROVED)
                      .values("proposal_id").annotate(last=Max("audited_at")).values_list("proposal_id", "last")
                      ) if replied_ids else {}
    for p in rows:
        committee = committees[p.committee_id]
        items = []
        if p.state == State.SUBMITTED and p.submitted_at:
            review = deadlines.policy_for(committee).review_working_days
            items.append(("审查立案", deadlines.working_days_after(committee, p.submitted_at, review)))
        for a in by_proposal.get(p.pk, []):
            a.proposal = p
            found = assignment_deadline(a, committee, has_opinion=a.has_opinion)
            if found:
                items.append(found)
        if p.pk in replied_at:
            items.append(("满意度评价", deadlines.evaluation_due(committee, replied_at[p.pk])))
        p.deadline = most_urgent([status_for(due, committee, on, what) for what, due in items])
