"""City–county linkage (市县联动): a proposal raised at one level about the other level's affairs is
transferred (转办) to that committee.

The city and its districts/counties share the platform but not their data: every read stays scoped to the
user's committee (core.access). A transfer creates a new proposal in the other committee, submitted for
its review, that keeps a link to the original (`transferred_from`). The original is closed in its own
committee as 转为意见建议 (so each committee's statistics keep their counting identity), with the
transfer in its timeline. Both committees' staff see a short account of the other side — committee,
number, state and timeline — without gaining access to the other committee's other data."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jianyan.core.access import ensure_can
from jianyan.core.audit import record
from jianyan.core.errors import InvalidInput
from jianyan.notifications import notify
from jianyan.people.models import Committee
from jianyan.proposals.models import Proposal, Proposer, State
from jianyan.proposals.selectors import timeline_of
from jianyan.proposals.workflow import current_session, ensure_state, lock_proposal, move, require_text


def linked_committees(committee: Committee) -> list[Committee]:
    """The committees a proposal may be transferred to: the parent, and the children (counties)."""
    linked = Q(parent=committee) | (Q(pk=committee.parent_id) if committee.parent_id else Q(pk__in=[]))
    return list(Committee.objects.filter(linked).order_by("level", "id"))


def resolve_target(proposal: Proposal, to_committee) -> Committee:
    try:
        pk = int(to_committee.pk if isinstance(to_committee, Committee) else to_committee)
    except (TypeError, ValueError):
        pk = 0
    target = next((c for c in linked_committees(proposal.committee) if c.pk == pk), None)
    if target is None:
        raise InvalidInput("只能转至上级政协或所辖县（区）政协", fields={"to_committee": "政协无效"})
    return target


def transfer_proposal(proposal: Proposal, *, actor, to_committee, note: str) -> Proposal:
    """Staff transfer (转办) a submitted proposal to the linked committee whose affairs it concerns.

    Returns the new proposal in the other committee, submitted for its review."""
    ensure_can(actor, "convert", proposal)  # a review decision, like converting
    target = resolve_target(proposal, to_committee)
    note = require_text(note, "note", "转办说明", max_length=2000)
    session = current_session(target)
    with transaction.atomic():
        proposal = lock_proposal(proposal)
        ensure_state(proposal, "convert")
        now = timezone.now()
        copy = Proposal.objects.create(
            committee=target, session=session, kind=proposal.kind, proposer_type=proposal.proposer_type,
            organisation=proposal.organisation, created_by=proposal.created_by, title=proposal.title,
            background=proposal.background, suggestions=list(proposal.suggestions or []), contact=proposal.contact,
            state=State.SUBMITTED, submitted_at=now, transferred_from=proposal,
        )
        Proposer.objects.bulk_create(
            Proposer(proposal=copy, user_id=p.user_id, organisation_id=p.organisation_id, role=p.role,
                     status=p.status, responded_at=p.responded_at, order=p.order)
            for p in proposal.proposers.filter(status=Proposer.Status.ACCEPTED)
        )
        proposal.decided_at, proposal.decision_note = now, note
        move(proposal, State.CONVERTED, actor=actor, action="proposal.transferred", note=note,
             fields=["decided_at", "decision_note"],
             data={"to_committee": target.name, "to_proposal": copy.pk})
        record(actor=actor, action="proposal.transferred_in", proposal=copy, from_state="", to_state=State.SUBMITTED,
               note=note, data={"from_committee": proposal.committee.name, "from_proposal": proposal.pk,
                                "from_number": proposal.display_number})
    transaction.on_commit(lambda: notify.decided(proposal, f"已转至{target.name}办理。"))
    transaction.on_commit(lambda: notify.submitted(copy))
    return copy


def counterparts(proposal: Proposal) -> list[dict]:
    """The linked proposals in the other committee (where this one came from, where it went), with their
    committee, number, state and timeline. For anyone who may see `proposal` itself: the transfer is part
    of its history on both sides."""
    if not proposal.transferred_from_id and proposal.state != State.CONVERTED:
        return []  # only a transferred-in proposal or a converted one (a transfer converts it) has a link
    linked = Proposal.objects.filter(Q(transferred_from=proposal) | Q(pk=proposal.transferred_from_id or 0))
    return [{"direction": "from" if other.pk == proposal.transferred_from_id else "to", "proposal": other,
             "committee": other.committee, "state_label": other.get_state_display(),
             "number": other.display_number, "timeline": timeline_of(other)}
            for other in linked.select_related("committee").order_by("id")]
