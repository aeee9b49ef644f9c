"""`{% deadline_panel proposal %}` on the proposal page: for a unit its deadline (正常/临期/超期), its
extension requests and the form to ask for one; for staff the pending extension requests to decide."""

from django import template

from jianyan.core.access import is_staff_of, unit_assignments
from jianyan.handling.models import Assignment, Extension
from jianyan.handling.workflow import EXTENDABLE_STATES
from jianyan.workdays import deadlines, status

register = template.Library()


@register.inclusion_tag("workdays/_proposal_panel.html", takes_context=True)
def deadline_panel(context, proposal):
    user = context["request"].user
    page = context.get("page")  # the proposal page found the unit's assignment already
    mine = (page.my_assignment if hasattr(page, "my_assignment")
            else unit_assignments(user, proposal).select_related("unit").first())
    deadline, may_request, limit, requests = None, False, None, []
    if mine is not None:
        mine.proposal = proposal
        found = status.assignment_deadline(mine, proposal.committee)
        deadline = status.status_for(found[1], proposal.committee, what=found[0]) if found else None
        if mine.mode != Assignment.Mode.CO and proposal.state in EXTENDABLE_STATES:
            requests = list(mine.extensions.order_by("-id")[:5])  # later the timeline shows them
        may_request = (mine.mode != Assignment.Mode.CO and proposal.state in EXTENDABLE_STATES
                       and not any(r.status == Extension.Status.PENDING for r in requests)
                       and deadline is not None and deadline.level != status.OVERDUE)
        limit = deadlines.extension_limit(mine, proposal.committee) if may_request else None
    pending = []
    if proposal.state in status.OPEN_HANDLING_STATES and is_staff_of(user, proposal.committee_id):
        pending = list(Extension.objects.filter(assignment__proposal=proposal, status=Extension.Status.PENDING)
                       .select_related("assignment__unit"))
        for e in pending:
            e.limit = deadlines.extension_limit(e.assignment, proposal.committee)
    return {"proposal": proposal, "mine": mine, "deadline": deadline, "requests": requests,
            "may_request": may_request, "limit": limit, "pending": pending, "csrf_token": context.get("csrf_token")}
