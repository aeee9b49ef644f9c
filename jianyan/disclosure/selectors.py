"""Reads for the staff's publication page: the replied and closed proposals of a committee with their
consent, secret marker and publication, in a constant number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from jianyan.core.access import proposals_seen_by_staff
from jianyan.disclosure.models import Publication
from jianyan.disclosure.workflow import PUBLISHABLE_STATES
from jianyan.handling.models import Assignment
from jianyan.proposals.models import Proposal

STAFF_FILTERS = {
    "": "全部",
    "ready": "可公开（已同意、未公开）",
    "no_consent": "未同意公开",
    "published": "已公开",
    "withdrawn": "已撤回",
    "secret": "涉密",
}


@dataclass(frozen=True)
class StaffRow:
    proposal: Proposal
    publication: Publication | None

    @property
    def is_public(self) -> bool:
        return bool(self.publication and self.publication.status == Publication.Status.PUBLISHED)


def active_units():
    return Prefetch("assignments", queryset=Assignment.objects.filter(is_active=True).select_related("unit")
                    .order_by("id"), to_attr="active_assignments")


def publication_candidates(committee, show: str = "") -> QuerySet[Proposal]:
    qs = (proposals_seen_by_staff(committee.pk).filter(state__in=PUBLISHABLE_STATES)
          .select_related("committee", "session__term__committee", "theme", "publication")
          .prefetch_related(active_units()).order_by("-closed_at", "-id"))
    consent_needed = committee.publish_consent_required
    if show == "ready":
        qs = qs.filter(is_secret=False).exclude(publication__status=Publication.Status.PUBLISHED)
        if consent_needed:
            qs = qs.filter(publish_consent=True)
    elif show == "no_consent":
        qs = qs.filter(publish_consent=False, is_secret=False)
    elif show == "published":
        qs = qs.filter(publication__status=Publication.Status.PUBLISHED)
    elif show == "withdrawn":
        qs = qs.filter(publication__status=Publication.Status.WITHDRAWN)
    elif show == "secret":
        qs = qs.filter(is_secret=True)
    return qs


def staff_row(proposal: Proposal) -> StaffRow:
    try:
        publication = proposal.publication
    except Publication.DoesNotExist:
        publication = None
    return StaffRow(proposal, publication)
