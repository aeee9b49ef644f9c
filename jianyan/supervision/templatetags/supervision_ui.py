"""`{% supervision_panel proposal %}` on the proposal page: its follow-up progress (跟踪问效), the proposals
it was transferred from or to (市县联动), and for staff reviewing it the transfer form."""

from django import template

from jianyan.core.access import is_staff_of
from jianyan.proposals.models import State
from jianyan.supervision import linkage, selectors
from jianyan.supervision.workflow import ANSWERED_STATES

register = template.Library()


@register.inclusion_tag("supervision/_proposal_panel.html", takes_context=True)
def supervision_panel(context, proposal):
    """Everyone who sees the proposal sees its follow-up and transfer history; staff may transfer it while
    it is submitted for review (a link to the transfer page)."""
    user = context["request"].user
    # The transfer form is a page of its own, so the proposal page runs no query for the linked committees.
    can_transfer = proposal.state == State.SUBMITTED and is_staff_of(user, proposal.committee_id)
    # Follow-up items are opened for answered proposals: skip the query for the others.
    follow_ups = selectors.follow_ups_of(proposal) if proposal.state in ANSWERED_STATES else []
    return {"proposal": proposal, "follow_ups": follow_ups,
            "links": linkage.counterparts(proposal), "can_transfer": can_transfer, "csrf_token": context.get("csrf_token")}
