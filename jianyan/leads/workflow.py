"""Every change to a lead: a visitor submits it, staff accept or reject it, a member drafts a proposal from it.
Each function checks who acts and the lead's state, changes it under a row lock and records an audit event."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jianyan.core.access import profile_of, role_of
from jianyan.core.audit import record
from jianyan.core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.leads.models import Lead, LeadDraft
from jianyan.leads.text import plain_text
from jianyan.people.models import Committee, Role
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Proposal

TOPIC_MAX, DESCRIPTION_MIN, DESCRIPTION_MAX, CONTACT_MAX, NOTE_MAX = 100, 10, 3000, 100, 500
DRAFTING_ROLES = (Role.MEMBER, Role.CLERK)


def source_hash(ip: str) -> str:
    """The visitor's address, salted and hashed: enough to spot a flood, never the address itself."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:lead:{ip}".encode()).hexdigest()


def clean_lead_fields(*, topic: str, description: str, contact: str) -> dict[str, str]:
    fields, errors = {
        "topic": plain_text(topic),
        "description": plain_text(description, multiline=True),
        "contact": plain_text(contact),
    }, {}
    if not fields["topic"]:
        errors["topic"] = "请填写主题"
    elif len(fields["topic"]) > TOPIC_MAX:
        errors["topic"] = f"主题最多 {TOPIC_MAX} 个字"
    if len(fields["description"]) < DESCRIPTION_MIN:
        errors["description"] = f"请具体描述问题和建议（至少 {DESCRIPTION_MIN} 个字）"
    elif len(fields["description"]) > DESCRIPTION_MAX:
        errors["description"] = f"内容最多 {DESCRIPTION_MAX} 个字"
    if len(fields["contact"]) > CONTACT_MAX:
        errors["contact"] = f"联系方式最多 {CONTACT_MAX} 个字"
    if errors:
        raise InvalidInput("请检查填写的内容", fields=errors)
    return fields


def submit_lead(*, committee: Committee, topic: str, description: str, contact: str = "", ip: str = "") -> Lead:
    """A visitor's lead, as plain text, waiting for staff (待审核)."""
    fields = clean_lead_fields(topic=topic, description=description, contact=contact)
    with transaction.atomic():
        lead = Lead.objects.create(committee=committee, source_hash=source_hash(ip) if ip else "", **fields)
        record(actor=None, action="lead.submitted", committee=committee, data={"lead": lead.pk})
    return lead


def is_staff_of(user, committee_id: int) -> bool:
    profile = profile_of(user)
    return role_of(user) == Role.STAFF and profile is not None and profile.committee_id == committee_id


def may_see_lead(user, lead: Lead) -> bool:
    """Staff of the committee see every lead; its members and clerks see the accepted ones."""
    if is_staff_of(user, lead.committee_id):
        return True
    profile = profile_of(user)
    return (lead.status == Lead.Status.ACCEPTED and profile is not None and profile.role in DRAFTING_ROLES
            and profile.committee_id == lead.committee_id)


def ensure_may_moderate(user, lead: Lead) -> None:
    if not may_see_lead(user, lead):
        raise NotFound()
    if not is_staff_of(user, lead.committee_id):
        raise NotAllowed("只有提案委员会工作人员可以审核线索")


def moderate_lead(lead: Lead, *, actor, to: str, note: str = "") -> Lead:
    ensure_may_moderate(actor, lead)
    note = plain_text(note)[:NOTE_MAX]
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if to not in Lead.TRANSITIONS.get(lead.status, ()):
            raise InvalidState(f"该线索已{lead.get_status_display()}，不能再审核")
        from_state = lead.status
        lead.status, lead.moderated_by, lead.moderated_at, lead.moderation_note = to, actor, timezone.now(), note
        lead.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_note"])
        record(actor=actor, action=f"lead.{to}", committee=lead.committee, from_state=from_state, to_state=to,
               note=note, data={"lead": lead.pk})
    return lead


def accept_lead(lead: Lead, *, actor, note: str = "") -> Lead:
    """Staff publish the lead to the committee's members (已采纳)."""
    return moderate_lead(lead, actor=actor, to=Lead.Status.ACCEPTED, note=note)


def reject_lead(lead: Lead, *, actor, note: str = "") -> Lead:
    """Staff set the lead aside as spam or unsuitable (未采纳); members never see it."""
    return moderate_lead(lead, actor=actor, to=Lead.Status.REJECTED, note=note)


def draft_from_lead(lead: Lead, *, actor) -> Proposal:
    """A member (or collective clerk) starts a draft proposal from an accepted lead; the link is kept.
    Asking again gives back the draft already made from this lead."""
    if not may_see_lead(actor, lead):
        raise NotFound()
    profile = profile_of(actor)
    if profile is None or profile.role not in DRAFTING_ROLES:
        raise NotAllowed("只有委员或集体提案经办人可以据线索撰写提案")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.status != Lead.Status.ACCEPTED:
            raise InvalidState("该线索未被采纳，不能据此撰写提案")
        existing = LeadDraft.objects.filter(lead=lead, created_by=actor).select_related("proposal").first()
        if existing is not None:
            return existing.proposal
        proposal = proposals.create_proposal(
            actor=actor, title=lead.topic[:200],
            background=f"{lead.description}\n\n（来源：社会公众提供的提案线索第{lead.pk}号）",
        )
        LeadDraft.objects.create(lead=lead, proposal=proposal, created_by=actor)
        record(actor=actor, action="lead.drafted", proposal=proposal, committee=lead.committee,
               data={"lead": lead.pk})
    return proposal
