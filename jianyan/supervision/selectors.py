"""Reads for supervision and follow-up: who sees which key proposals and follow-up items, whether a key
proposal still waits for its leaders' sign-off, the two-way evaluation (revealed only when both sides are
in), a member's performance record (履职档案) and the published excellent proposals.

This module imports models only, so handling.workflow may ask it whether a proposal may close."""

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from jianyan.core.access import profile_of, proposer_filter, role_of
from jianyan.handling.models import Assignment, Evaluation, QualityRating
from jianyan.people.models import Role
from jianyan.proposals.models import COLLECTIVE_TYPES, REGISTERED_STATES, Proposal, Proposer
from jianyan.supervision.models import (
    ExcellentNomination,
    FollowUp,
    KeyNomination,
    KeyProposal,
    ProgressUpdate,
)

OVERSEERS = (Role.STAFF, Role.LEADER)


# ---- key proposals -----------------------------------------------------------------------------

def key_sign_off_pending(proposal: Proposal) -> KeyProposal | None:
    """The approved key proposal this proposal belongs to whose leaders have not both signed off, if any.

    Until the chairs' meeting approves it a topic is only a committee decision, so it does not hold the
    proposal back."""
    return KeyProposal.objects.filter(proposals=proposal, status=KeyProposal.Status.APPROVED).first()


def keys_visible_to(user) -> QuerySet[KeyProposal]:
    """Staff see every key proposal of their committee; a leader sees them all too (the chairs approve them)."""
    profile = profile_of(user)
    if role_of(user) == Role.ADMIN:
        return KeyProposal.objects.all()
    if profile is None or profile.role not in OVERSEERS:
        return KeyProposal.objects.none()
    return KeyProposal.objects.filter(committee_id=profile.committee_id)


def nominations_for_staff(user) -> QuerySet[KeyNomination]:
    profile = profile_of(user)
    if profile is None or profile.role != Role.STAFF:
        return KeyNomination.objects.none()
    return (KeyNomination.objects.filter(committee_id=profile.committee_id)
            .select_related("proposal__committee", "organisation", "nominated_by__profile")
            .order_by("status", "-nominated_at"))


def missing_sign_offs(key: KeyProposal) -> list[str]:
    """The parts (lead, supervising) still to sign off, in that order."""
    signed = {s.part for s in key.sign_offs.all()}
    return [part for part, leader in (("lead", key.lead_leader_id), ("supervising", key.supervising_leader_id))
            if leader and part not in signed]


# ---- follow-up ---------------------------------------------------------------------------------

def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    """Staff and leaders see their committee's items, a unit its own, proposers those of their proposals."""
    role = role_of(user)
    qs = FollowUp.objects.select_related("proposal__committee", "unit", "key_proposal")
    if role is None:
        return qs.none()
    if role == Role.ADMIN:
        return qs
    profile = profile_of(user)
    if role in OVERSEERS:
        return qs.filter(committee_id=profile.committee_id)
    if role == Role.UNIT:
        return qs.filter(unit_id=profile.unit_id)
    if role in (Role.MEMBER, Role.CLERK):
        return qs.filter(proposal__in=Proposal.objects.filter(proposer_filter(user)).values("pk"))
    return qs.none()


def follow_ups_of(proposal: Proposal) -> list[FollowUp]:
    """A proposal's follow-up items with their updates, newest year first (for the proposal page)."""
    items = list(FollowUp.objects.filter(proposal=proposal).select_related("unit", "key_proposal")
                 .prefetch_related(Prefetch("updates", queryset=ProgressUpdate.objects.order_by("created_at", "id")))
                 .order_by("-year", "id"))
    for item in items:
        updates = list(item.updates.all())
        item.latest_update = updates[-1] if updates else None
    return items


# ---- two-way evaluation (双向评议) ----------------------------------------------------------------

def two_way_complete(proposal: Proposal) -> bool:
    """Both sides are in: at least one proposer has rated the handling and every replying unit has rated the
    proposal's quality. Before that each side's scores stay hidden from the other (背靠背)."""
    replying = proposal.assignments.filter(is_active=True, mode__in=["lead", "separate"])
    rated = QualityRating.objects.filter(assignment__in=replying).values("assignment").distinct().count()
    return (proposal.evaluations.exists() and replying.exists() and rated == replying.count())


def two_way_complete_ids(proposal_ids) -> set[int]:
    """Of these proposals, those whose two-way evaluation is complete (as `two_way_complete`), in three queries."""
    rated_by_proposers = set(Evaluation.objects.filter(proposal_id__in=proposal_ids)
                             .values_list("proposal_id", flat=True).distinct())
    replying = Assignment.objects.filter(proposal_id__in=rated_by_proposers, is_active=True,
                                         mode__in=["lead", "separate"])
    units = dict(replying.values_list("proposal_id").annotate(n=Count("id")).order_by())
    rated = dict(QualityRating.objects.filter(assignment__in=replying).values_list("proposal_id")
                 .annotate(n=Count("assignment", distinct=True)).order_by())
    return {pk for pk, n in units.items() if n and rated.get(pk) == n}


def two_way_evaluation(proposal: Proposal, user) -> dict:
    """What this user may read of the two-way evaluation of a proposal they can see.

    Staff and leaders see both sides. A proposer sees the handling ratings and, once both sides are in, the
    quality ratings; a unit sees its own quality rating and, once both are in and it has rated, the rest."""
    role = role_of(user)
    complete = two_way_complete(proposal)
    overseer = role in (*OVERSEERS, Role.ADMIN)
    handling = list(Evaluation.objects.filter(proposal=proposal).select_related("proposer__user__profile",
                                                                                  "proposer__organisation"))
    quality = list(QualityRating.objects.filter(proposal=proposal).select_related("assignment__unit"))
    if not overseer:
        if role == Role.UNIT:
            unit_id = profile_of(user).unit_id
            own = [q for q in quality if q.assignment.unit_id == unit_id]
            revealed = complete and own  # a unit that gave no rating of its own sees no one else's
            quality = quality if revealed else own
            handling = handling if revealed else []
        else:
            quality = quality if complete else []
    return {"complete": complete, "handling": handling, "quality": quality}


# ---- the member's performance record (履职档案) ---------------------------------------------------

def member_record(member, *, year: int | None = None) -> dict:
    """A member's record: proposals as first proposer, how many were registered (立案率), the quality scores
    the units gave (only where the two-way evaluation is complete), co-signing, key and excellent proposals."""
    first = Proposal.objects.filter(created_by=member).exclude(state__in=["draft", "cosigning"])
    cosigned = Proposal.objects.filter(proposers__user=member, proposers__role=Proposer.Role.COSIGNER,
                                       proposers__status=Proposer.Status.ACCEPTED)
    if year is not None:
        first, cosigned = first.filter(session__year=year), cosigned.filter(session__year=year)
    first = first.exclude(proposer_type__in=COLLECTIVE_TYPES)
    counts = first.aggregate(total=Count("id"), registered=Count("id", filter=Q(state__in=REGISTERED_STATES)),
                             key=Count("id", filter=Q(is_key=True)))
    rows = list(first.select_related("committee", "session").order_by("-session__year", "number", "id"))
    revealed = two_way_complete_ids([p.pk for p in rows if p.state in REGISTERED_STATES])
    ratings = QualityRating.objects.filter(proposal_id__in=revealed)
    scores = {p: round(t) for p, t in ratings.values_list("proposal_id").annotate(t=Avg("total"))}
    for p in rows:
        p.quality_score = scores.get(p.pk)
    averages = ratings.aggregate(total=Avg("total"))
    dims = {name: None for name in QualityRating.DIMENSIONS}
    all_scores = [r.scores for r in ratings]
    for name in dims:
        values = [s.get(name) for s in all_scores if isinstance(s.get(name), int)]
        dims[name] = round(sum(values) / len(values), 1) if values else None
    excellent = ExcellentNomination.objects.filter(proposal__in=first, status=ExcellentNomination.Status.PUBLISHED)
    return {
        "proposals": rows,
        "total": counts["total"],
        "registered": counts["registered"],
        "registration_rate": round(counts["registered"] / counts["total"], 3) if counts["total"] else None,
        "cosigned": cosigned.distinct().count(),
        "key": counts["key"],
        "excellent": excellent.count(),
        "quality_average": round(averages["total"], 1) if averages["total"] is not None else None,
        "quality_dimensions": [(QualityRating.DIMENSIONS[k], v) for k, v in dims.items()],
        "quality_rated": len(scores),
    }


# ---- excellent proposals (优秀提案) ---------------------------------------------------------------

def published_excellent(committee_id: int, year: int | None = None) -> QuerySet[ExcellentNomination]:
    qs = ExcellentNomination.objects.filter(committee_id=committee_id, status=ExcellentNomination.Status.PUBLISHED)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("proposal__committee", "proposal__organisation", "proposal__created_by__profile") \
        .order_by("-year", "proposal__number", "id")


def excellent_for_staff(user) -> QuerySet[ExcellentNomination]:
    profile = profile_of(user)
    if profile is None or profile.role != Role.STAFF:
        return ExcellentNomination.objects.none()
    return (ExcellentNomination.objects.filter(committee_id=profile.committee_id)
            .select_related("proposal__committee", "nominated_by__profile").order_by("-year", "status", "id"))
