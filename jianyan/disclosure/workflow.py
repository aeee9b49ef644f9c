"""Every change to what the public sees, one function per transition: give or revoke the proposer's consent,
approve a publication, change its redactions, withdraw it, mark a proposal secret. Each checks who acts and
the proposal's state, changes rows under a lock inside one transaction, records an audit event and keeps the
search index in step (the index is written in the same transaction, so it never shows a withdrawn text)."""

from django.db import transaction
from django.utils import timezone

from jianyan import search
from jianyan.core.access import can_see, is_proposer, is_staff_of
from jianyan.core.audit import record
from jianyan.core.errors import InvalidState, NotAllowed, NotFound
from jianyan.disclosure import public, redaction
from jianyan.disclosure.models import Publication
from jianyan.proposals.models import Proposal, State

PUBLISHABLE_STATES = {State.REPLIED, State.CLOSED}


def ensure_staff(actor, proposal: Proposal) -> None:
    if not can_see(actor, proposal):
        raise NotFound()
    if not is_staff_of(actor, proposal.committee_id):
        raise NotAllowed("只有提案委员会工作人员可以决定提案公开")


def ensure_proposer(actor, proposal: Proposal) -> None:
    if not can_see(actor, proposal):
        raise NotFound()
    if not is_proposer(actor, proposal):
        raise NotAllowed("只有提案人可以决定是否同意公开")


def locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("committee").get(pk=proposal.pk)


def ensure_publishable(proposal: Proposal) -> None:
    """The guards of publication: never a secret proposal; only a replied one; consent where required."""
    if proposal.is_secret:
        raise InvalidState("该提案已标记为涉密，不得公开", code="secret")
    if proposal.state not in PUBLISHABLE_STATES:
        raise InvalidState(f"只有已答复或已办结的提案可以公开（当前：{proposal.get_state_display()}）")
    if proposal.committee.publish_consent_required and not proposal.publish_consent:
        raise InvalidState("本政协规定公开须经提案人同意，该提案人尚未同意公开", code="consent_required")


def give_publish_consent(proposal: Proposal, *, actor) -> Proposal:
    """The proposer agrees that the proposal and its reply may be published (staff still decide)."""
    ensure_proposer(actor, proposal)
    with transaction.atomic():
        proposal = locked(proposal)
        if proposal.publish_consent:
            return proposal
        proposal.publish_consent = True
        proposal.save(update_fields=["publish_consent", "updated_at"])
        record(actor=actor, action="publication.consent_given", proposal=proposal)
    return proposal


def revoke_publish_consent(proposal: Proposal, *, actor) -> Proposal:
    """The proposer takes consent back; where the committee requires it, a publication is withdrawn at once."""
    ensure_proposer(actor, proposal)
    with transaction.atomic():
        proposal = locked(proposal)
        if not proposal.publish_consent:
            return proposal
        proposal.publish_consent = False
        proposal.save(update_fields=["publish_consent", "updated_at"])
        record(actor=actor, action="publication.consent_revoked", proposal=proposal)
        if proposal.committee.publish_consent_required:
            take_down(proposal, actor=actor, note="提案人撤回公开同意")
    return proposal


def approve_publication(proposal: Proposal, *, actor, redactions: dict | None = None) -> Publication:
    """Publish the proposal and its approved replies with the given passages hidden (or publish it again
    after a withdrawal). The public copy is made now, from the current texts."""
    ensure_staff(actor, proposal)
    with transaction.atomic():
        proposal = locked(proposal)
        ensure_publishable(proposal)
        sources = redaction.sources_of(proposal)
        if not sources.reply:
            raise InvalidState("该提案还没有审核通过的答复，不能公开")
        cleaned = redaction.clean_redactions(redactions, sources)
        texts = redaction.redacted(sources, cleaned)
        result_class = redaction.latest_result_class(redaction.approved_replies(proposal))
        now = timezone.now()
        publication = Publication.objects.select_for_update().filter(proposal=proposal).first()
        if publication and publication.status == Publication.Status.PUBLISHED:
            raise InvalidState("该提案已经公开；如需修改隐去的内容，请使用“修改隐去内容”")
        if publication is None:
            publication = Publication(proposal=proposal, published_at=now)
        publication.status = Publication.Status.PUBLISHED
        publication.title, publication.body, publication.reply = texts["title"], texts["body"], texts["reply"]
        publication.redactions = cleaned
        publication.result_class = result_class
        publication.changed_at = now
        publication.withdrawn_at = None
        publication.approved_by = actor
        publication.save()
        search.index_publication(publication)
        record(actor=actor, action="publication.approved", proposal=proposal,
               data={"redacted": {f: len(p) for f, p in cleaned.items()}})
    transaction.on_commit(public.bump_publication_version)
    return publication


def update_redactions(publication: Publication, *, actor, redactions: dict | None) -> Publication:
    """Change which passages are hidden; the public copy is remade from the current texts (so a newly
    approved supplementary reply is taken in too)."""
    ensure_staff(actor, publication.proposal)
    with transaction.atomic():
        proposal = locked(publication.proposal)
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.status != Publication.Status.PUBLISHED:
            raise InvalidState("该提案未公开，请重新批准公开")
        ensure_publishable(proposal)
        sources = redaction.sources_of(proposal)
        cleaned = redaction.clean_redactions(redactions, sources)
        texts = redaction.redacted(sources, cleaned)
        publication.title, publication.body, publication.reply = texts["title"], texts["body"], texts["reply"]
        publication.redactions = cleaned
        publication.result_class = redaction.latest_result_class(redaction.approved_replies(proposal))
        publication.changed_at = timezone.now()
        publication.save(update_fields=["title", "body", "reply", "redactions", "result_class", "changed_at"])
        search.index_publication(publication)
        record(actor=actor, action="publication.redacted", proposal=proposal,
               data={"redacted": {f: len(p) for f, p in cleaned.items()}})
    return publication


def withdraw_publication(publication: Publication, *, actor, note: str = "") -> Publication:
    """Take a publication off the public site, the API, the feed, the search and the exports."""
    ensure_staff(actor, publication.proposal)
    with transaction.atomic():
        proposal = locked(publication.proposal)
        publication = take_down(proposal, actor=actor, note=note)
        if publication is None:
            raise InvalidState("该提案当前未公开")
    return publication


def mark_secret(proposal: Proposal, *, actor, note: str = "") -> Proposal:
    """Mark a proposal secret (涉密): it is withdrawn if public and can never be published."""
    ensure_staff(actor, proposal)
    with transaction.atomic():
        proposal = locked(proposal)
        if proposal.is_secret:
            raise InvalidState("该提案已标记为涉密")
        proposal.is_secret = True
        proposal.save(update_fields=["is_secret", "updated_at"])
        record(actor=actor, action="proposal.marked_secret", proposal=proposal, note=note)
        take_down(proposal, actor=actor, note="标记为涉密")
    return proposal


def take_down(proposal: Proposal, *, actor, note: str) -> Publication | None:
    """Withdraw the proposal's publication if it is public (inside the caller's transaction)."""
    publication = Publication.objects.select_for_update().filter(
        proposal=proposal, status=Publication.Status.PUBLISHED).first()
    if publication is None:
        return None
    publication.status = Publication.Status.WITHDRAWN
    publication.withdrawn_at = publication.changed_at = timezone.now()
    publication.save(update_fields=["status", "withdrawn_at", "changed_at"])
    search.remove_publication(publication.pk)
    record(actor=actor, action="publication.withdrawn", proposal=proposal, note=note)
    # Registered inside the caller's transaction, so it runs once that commits (and never on a rollback).
    transaction.on_commit(public.bump_publication_version)
    return publication
