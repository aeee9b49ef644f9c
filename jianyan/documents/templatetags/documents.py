"""`{% document_links %}` on the proposal page: the documents that apply to the proposal's state and the
viewer's side. Decided from what the page has loaded already (its ProposalPage), so it adds no query."""

from django import template

from jianyan.documents.official import kinds_for

register = template.Library()


@register.inclusion_tag("documents/download_links.html", takes_context=True)
def document_links(context):
    page = context.get("page")
    if page is None:
        return {"kinds": []}
    viewer, mine = page.viewer, page.my_assignment
    kinds = kinds_for(page.proposal.state, oversees=viewer.oversees,
                      # Members and clerks see a proposal only as one of its proposers (core.access).
                      proposer=viewer.is_proposer_side and not pending_cosigner(page, viewer.user),
                      unit_mode=mine.mode if mine is not None else None)
    return {"kinds": kinds, "pk": page.proposal.pk}


def pending_cosigner(page, user) -> bool:
    """A co-signer who has not confirmed yet is not a proposer of the letters."""
    name = user.get_username()
    return any(p.get("username") == name and p.get("status") != "accepted" for p in page.detail["proposers"])
