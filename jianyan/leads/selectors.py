"""Reading leads: what a staff member moderates, what members browse, and one lead for one user (404 else)."""

from django.db.models import Count

from jianyan.core.access import profile_of
from jianyan.core.errors import NotFound
from jianyan.leads.models import Lead
from jianyan.leads.workflow import DRAFTING_ROLES, is_staff_of, may_see_lead


def leads_to_moderate(user, status: str | None = None):
    """The staff member's committee's leads, pending first by default; nobody else's."""
    profile = profile_of(user)
    if profile is None or not is_staff_of(user, profile.committee_id):
        return Lead.objects.none()
    qs = (Lead.objects.filter(committee_id=profile.committee_id).annotate(draft_count=Count("drafts"))
          .order_by("-submitted_at", "-id"))
    return qs.filter(status=status) if status else qs


def accepted_leads_for(user):
    """Accepted leads of the member's (or clerk's, or staff member's) committee, newest first."""
    profile = profile_of(user)
    if profile is None or not (profile.role in DRAFTING_ROLES or is_staff_of(user, profile.committee_id)):
        return Lead.objects.none()
    return (Lead.objects.filter(committee_id=profile.committee_id, status=Lead.Status.ACCEPTED)
            .annotate(draft_count=Count("drafts")).order_by("-submitted_at", "-id"))


def get_lead_for(user, pk: int) -> Lead:
    lead = Lead.objects.select_related("committee").filter(pk=pk).first()
    if lead is None or not may_see_lead(user, lead):
        raise NotFound("线索不存在或您无权查看")
    return lead
