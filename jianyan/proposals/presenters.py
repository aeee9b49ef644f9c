"""Proposals as one viewer may read them, shared by the JSON API and the web pages.

Visibility of the proposal itself is decided in core.access; here only the parts of a visible proposal
that not every viewer may read are held back:
- replies: approved ones for proposers; all for staff, leaders and admins; a unit sees its own;
- evaluations: staff, leaders, admins and the proposers; a unit only once it has given its own quality
  rating (双向评议 is blind: 背靠背);
- quality ratings: staff, leaders, admins and the rating unit; never the proposers;
- co-handlers' opinions (会办意见): units and staff, never the proposers;
- return requests: staff and the requesting unit."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from jianyan.core.access import profile_of, role_of
from jianyan.handling.models import (
    Assignment,
    Consultation,
    CoOpinion,
    Evaluation,
    QualityRating,
    Reply,
    ReturnRequest,
)
from jianyan.people.models import Role
from jianyan.proposals.models import Proposal, Proposer
from jianyan.proposals.selectors import timeline_of

# Timeline notes that are internal to staff and units (an audit note, a unit's return request).
INTERNAL_NOTES = {"reply.sent_back", "assignment.return_requested", "assignment.return_accepted",
                  "assignment.return_rejected"}
INTERNAL_NOTES |= {"extension.requested", "extension.approved", "extension.refused"}
# Timeline events the proposers do not see at all: the unit's blind quality rating.
HIDDEN_FROM_PROPOSERS = {"quality.rated"}


@dataclass(frozen=True)
class Viewer:
    user: Any
    role: str | None
    unit_id: int | None

    @classmethod
    def of(cls, user) -> "Viewer":
        profile = profile_of(user)
        role = role_of(user)
        return cls(user, role, profile.unit_id if profile and role == Role.UNIT else None)

    @property
    def oversees(self) -> bool:
        return self.role in (Role.STAFF, Role.LEADER, Role.ADMIN)

    @property
    def is_unit(self) -> bool:
        return self.role == Role.UNIT

    @property
    def is_proposer_side(self) -> bool:
        # Members and clerks see a proposal only as one of its proposers (core.access).
        return self.role in (Role.MEMBER, Role.CLERK)


def local(value):
    return timezone.localtime(value) if value else None


def ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def session_ref(session) -> dict:
    return {"id": session.pk, "label": session.label, "year": session.year}


def proposer_out(p: Proposer) -> dict:
    return {
        "name": p.name, "role": p.role, "role_label": p.get_role_display(),
        "status": p.status, "status_label": p.get_status_display(),
        "username": p.user.username if p.user_id else None,
        "organisation": p.organisation.name if p.organisation_id else None,
    }


# ---- the list ------------------------------------------------------------------------------------

def with_list_relations(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Everything a list item shows, in a fixed number of queries whatever the page size."""
    return qs.select_related("committee", "theme", "session__term__committee").prefetch_related(
        Prefetch("proposers", queryset=Proposer.objects.select_related("user__profile", "organisation")),
        Prefetch("assignments", queryset=Assignment.objects.filter(is_active=True).select_related("unit"),
                 to_attr="active_assignments"),
    )


def list_item(p: Proposal) -> dict:
    return {
        "id": p.pk, "number": p.number, "display_number": p.display_number or None, "title": p.title,
        "state": p.state, "state_label": p.get_state_display(), "kind": p.kind, "proposer_type": p.proposer_type,
        "category": ref(p.theme), "session": session_ref(p.session),
        "proposers": [proposer_out(x) for x in p.proposers.all()],
        "units": [{"id": a.unit_id, "name": a.unit.name, "mode": a.mode} for a in p.active_assignments],
        "is_key": p.is_key, "version": p.version,
        "submitted_at": local(p.submitted_at), "created_at": local(p.created_at),
    }


# ---- one proposal --------------------------------------------------------------------------------

# What the detail shows of the proposal's own relations, read in one query with it.
DETAIL_RELATIONS = ("committee", "theme", "session__term__committee", "reject_reason", "merge_host__committee")


def proposal_detail(proposal: Proposal, viewer: Viewer, *, loaded: bool = False,
                    assignments: list[Assignment] | None = None) -> dict:
    """The proposal as this viewer may see it. The proposal is read again (after a transition the caller's copy
    is stale) unless `loaded`: read in this request with DETAIL_RELATIONS. `assignments`: all of its
    assignments with their units, when the caller has them already."""
    p = proposal if loaded else Proposal.objects.select_related(*DETAIL_RELATIONS).get(pk=proposal.pk)
    proposers = list(p.proposers.select_related("user__profile", "organisation"))
    if assignments is None:
        assignments = list(p.assignments.select_related("unit"))
    assignments = {a.pk: a for a in assignments}

    def unit_of(assignment_id):
        return ref(assignments[assignment_id].unit)

    def own(assignment_id) -> bool:
        return viewer.is_unit and assignments[assignment_id].unit_id == viewer.unit_id

    replies = Reply.objects.filter(proposal=p)
    if viewer.is_proposer_side:
        replies = replies.filter(status=Reply.Status.APPROVED)
    elif not viewer.oversees:
        replies = replies.filter(assignment__unit_id=viewer.unit_id) if viewer.is_unit else replies.none()
    inside = viewer.oversees or viewer.is_unit

    ratings = []
    if inside:
        ratings = [r for r in QualityRating.objects.filter(proposal=p) if viewer.oversees or own(r.assignment_id)]
    if viewer.oversees or viewer.is_proposer_side or (viewer.is_unit and ratings):
        evaluations = list(Evaluation.objects.filter(proposal=p)
                           .select_related("proposer__user__profile", "proposer__organisation"))
    else:
        evaluations = []
    co_opinions = list(CoOpinion.objects.filter(assignment__proposal=p)) if inside else []
    return_requests = []
    if inside:
        return_requests = [r for r in ReturnRequest.objects.filter(assignment__proposal=p)
                           if viewer.oversees or own(r.assignment_id)]

    return {
        "id": p.pk, "number": p.number, "display_number": p.display_number or None, "title": p.title,
        "background": p.background, "suggestions": list(p.suggestions or []), "contact": p.contact,
        "state": p.state, "state_label": p.get_state_display(),
        "kind": p.kind, "kind_label": p.get_kind_display(),
        "proposer_type": p.proposer_type, "proposer_type_label": p.get_proposer_type_display(),
        "category": ref(p.theme), "session": session_ref(p.session),
        "proposers": [proposer_out(x) for x in proposers],
        "assignments": [
            {"id": a.pk, "unit": ref(a.unit), "mode": a.mode, "mode_label": a.get_mode_display(),
             "assigned_at": local(a.assigned_at), "due_date": a.due_date, "signed_at": local(a.signed_at),
             "is_active": a.is_active}
            for a in assignments.values()
        ],
        "replies": [
            {"id": r.pk, "unit": unit_of(r.assignment_id), "round": r.round, "result_class": r.result_class,
             "proposed_class": r.proposed_class if inside else None, "body": r.body, "signer": r.signer,
             "doc_no": r.doc_no, "status": r.status, "status_label": r.get_status_display(),
             "written_at": local(r.written_at), "audited_at": local(r.audited_at),
             "audit_note": r.audit_note if inside else None}
            for r in replies
        ],
        "evaluations": [
            {"id": e.pk, "proposer": e.proposer.name, "round": e.round,
             "attitude": e.attitude, "attitude_label": e.get_attitude_display(),
             "result": e.result, "result_label": e.get_result_display(),
             "comment": e.comment, "rated_at": local(e.rated_at)}
            for e in evaluations
        ],
        "quality_ratings": [
            {"id": r.pk, "unit": unit_of(r.assignment_id), "scores": r.scores, "total": r.total, "grade": r.grade,
             "comment": r.comment, "rated_at": local(r.rated_at)}
            for r in ratings
        ],
        "consultations": [
            {"id": c.pk, "unit": ref(c.unit), "form": c.form, "form_label": c.get_form_display(), "date": c.date,
             "participants": c.participants, "outcome": c.outcome, "recorded_at": local(c.recorded_at)}
            for c in Consultation.objects.filter(proposal=p).select_related("unit")
        ],
        "co_opinions": [
            {"id": o.pk, "unit": unit_of(o.assignment_id), "text": o.text, "written_at": local(o.written_at)}
            for o in co_opinions
        ],
        "return_requests": [
            {"id": r.pk, "unit": unit_of(r.assignment_id), "reason": r.reason, "requested_at": local(r.requested_at),
             "accepted": r.accepted, "decided_at": local(r.decided_at), "decision_note": r.decision_note}
            for r in return_requests
        ],
        "merge_host": (
            {"id": p.merge_host.pk, "display_number": p.merge_host.display_number or None,
             "title": p.merge_host.title}
            if p.merge_host_id else None
        ),
        "reject_reason": {"code": p.reject_reason.code, "text": p.reject_reason.text} if p.reject_reason_id else None,
        "decision_note": p.decision_note,
        "is_key": p.is_key, "round": p.round, "closed_unresolved": p.closed_unresolved, "version": p.version,
        "cosign_deadline": local(p.cosign_deadline), "submitted_at": local(p.submitted_at),
        "decided_at": local(p.decided_at), "closed_at": local(p.closed_at), "created_at": local(p.created_at),
    }


def timeline(proposal: Proposal, viewer: Viewer) -> list[dict]:
    entries = []
    for e in timeline_of(proposal):
        if viewer.is_proposer_side and e.action in HIDDEN_FROM_PROPOSERS:
            continue
        note = "" if viewer.is_proposer_side and e.action in INTERNAL_NOTES else e.note
        entries.append({"at": local(e.at), "actor": e.actor, "action": e.action, "action_label": e.action_label,
                        "from_state": e.from_state, "to_state": e.to_state, "note": note})
    return entries
