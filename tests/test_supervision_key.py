"""The life of a key proposal (重点提案): nominations → committee decision → chairs' approval → supervision
activities → the leaders' sign-off, without which its proposals do not close."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jianyan.core.errors import Conflict, InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.core.models import AuditEvent
from jianyan.handling import workflow as handling
from jianyan.notifications.models import Notification
from jianyan.people.models import Profile, Role
from jianyan.proposals.models import State
from jianyan.supervision import workflow as supervision
from jianyan.supervision.models import KeyNomination, KeyProposal, KeySignOff, SupervisionActivity

User = get_user_model()


@pytest.fixture
def chair(committee, session):
    """A CPPCC vice-chair who supervises (督办)."""
    user = User.objects.create_user(username="leader2", password="x")
    Profile.objects.create(user=user, committee=committee, role=Role.LEADER, display_name="钱副主席")
    return user


@pytest.fixture
def replied(stage):
    return stage.replied()


def decide(staff, session, proposals, leader=None, chair=None, **kw):
    return supervision.designate_key_proposal(actor=staff, session=session, topic="推动医养结合健康发展",
                                              proposals=proposals, lead_leader=leader, supervising_leader=chair, **kw)


def test_the_whole_life_of_a_key_proposal(stage, staff, clerk, party, leader, chair, session, member, cosigner,
                                          liaison):
    p = stage.handling()
    party_proposal = stage.registered(title="关于发展普惠托育服务的提案")
    # A party's clerk can only recommend what they can see; staff recommend any registered proposal.
    with pytest.raises(NotFound):
        supervision.nominate_key_proposal(p, actor=clerk, reason="事关民生")
    nomination = supervision.nominate_key_proposal(p, actor=staff, reason="群众关注度高")
    with pytest.raises(Conflict):
        supervision.nominate_key_proposal(p, actor=staff, reason="再次推荐")
    other = supervision.nominate_key_proposal(party_proposal, actor=staff, reason="托育需求大")
    supervision.decline_key_nomination(other, actor=staff, note="本年度名额已满")

    key = decide(staff, session, [p], leader, chair)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.key_proposal) == (KeyNomination.Status.SELECTED, key)
    assert key.status == KeyProposal.Status.DECIDED

    with pytest.raises(NotAllowed):  # staff decide, the chairs' meeting approves
        supervision.approve_key_proposal(key, actor=staff)
    key = supervision.approve_key_proposal(key, actor=leader, note="主席会议同意")
    assert key.status == KeyProposal.Status.APPROVED and key.approved_by == leader
    assert Notification.objects.filter(user=chair, kind="key.approved").exists()

    supervision.record_supervision_activity(key, actor=chair, form="forum", date=timezone.localdate(),
                                            participants="钱副主席、工信局", minutes="座谈推进")
    heard = set(Notification.objects.filter(kind="supervision.activity").values_list("user__username", flat=True))
    assert heard == {member.username, cosigner.username, liaison.username, "unit_kjj"}  # proposers and units
    with pytest.raises(InvalidState):  # nothing to sign off before the reply
        supervision.sign_off_key_proposal(key, actor=leader)

    handling.submit_reply(p, actor=liaison, result_class="A", body="已落实。", signer="王局长")
    p = handling.approve_reply(p, actor=staff)
    handling.evaluate_proposal(p, actor=member, attitude="satisfied", result="satisfied")
    handling.evaluate_proposal(p, actor=cosigner, attitude="satisfied", result="basically_satisfied")
    p.refresh_from_db()
    assert p.state == State.REPLIED  # every rating is in and satisfied, but the leaders have not signed off
    with pytest.raises(InvalidState, match="签字确认"):
        handling.close_proposal(p, actor=staff)

    supervision.sign_off_key_proposal(key, actor=leader, note="办理到位")
    p.refresh_from_db()
    assert p.state == State.REPLIED
    with pytest.raises(InvalidState):
        supervision.sign_off_key_proposal(key, actor=leader)
    key = supervision.sign_off_key_proposal(key, actor=chair, note="同意办结")
    p.refresh_from_db()
    assert key.status == KeyProposal.Status.SIGNED_OFF and p.state == State.CLOSED
    assert set(KeySignOff.objects.values_list("part", "leader")) == {("lead", leader.pk), ("supervising", chair.pk)}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"key.nominated", "key.nomination_declined", "key.approved", "key.signed_off", "proposal.closed"} <= actions


def test_a_clerk_nominates_their_own_organisations_proposal(clerk, staff, themes, build, party):
    p = build.registered(clerk, staff, themes[0], title="关于民营经济发展的提案")
    nomination = supervision.nominate_key_proposal(p, actor=clerk, reason="本党派年度重点")
    assert nomination.organisation == party and nomination.source == party.name


def test_nominations_need_a_registered_proposal_and_a_reason(stage, staff, member):
    submitted = stage.submitted()
    with pytest.raises(InvalidState):
        supervision.nominate_key_proposal(submitted, actor=staff, reason="理由")
    registered = stage.registered(title="关于另一件事的提案")
    with pytest.raises(InvalidInput):
        supervision.nominate_key_proposal(registered, actor=staff, reason="  ")
    with pytest.raises(NotAllowed):  # a member sees their proposal but does not nominate
        supervision.nominate_key_proposal(registered, actor=member, reason="理由")
    assert not KeyNomination.objects.exists()


def test_approval_needs_both_leaders_and_happens_once(stage, staff, leader, chair, session, outsider):
    key = decide(staff, session, [stage.registered()], leader)
    with pytest.raises(InvalidInput):
        supervision.approve_key_proposal(key, actor=leader)
    with pytest.raises(NotFound):
        supervision.approve_key_proposal(key, actor=outsider, supervising_leader=chair)
    with pytest.raises(InvalidInput):  # a member cannot be named a leader
        supervision.approve_key_proposal(key, actor=leader, supervising_leader=outsider)
    key = supervision.approve_key_proposal(key, actor=leader, supervising_leader=chair)
    assert key.supervising_leader == chair
    with pytest.raises(InvalidState):
        supervision.approve_key_proposal(key, actor=chair)


def test_only_its_leaders_sign_off(replied, staff, leader, chair, session, member, outsider):
    key = supervision.approve_key_proposal(decide(staff, session, [replied], leader, chair), actor=leader)
    with pytest.raises(NotAllowed):
        supervision.sign_off_key_proposal(key, actor=staff)
    for user in (member, outsider):
        with pytest.raises(NotFound):
            supervision.sign_off_key_proposal(key, actor=user)
    assert not KeySignOff.objects.exists()


def test_a_decided_but_unapproved_key_does_not_hold_back_closing(replied, staff, leader, session, member, cosigner):
    decide(staff, session, [replied], leader)
    handling.evaluate_proposal(replied, actor=member, attitude="satisfied", result="satisfied")
    handling.evaluate_proposal(replied, actor=cosigner, attitude="satisfied", result="satisfied")
    replied.refresh_from_db()
    assert replied.state == State.CLOSED


def test_a_key_proposal_still_unrated_stays_replied_after_sign_off(replied, staff, leader, session, member):
    key = supervision.approve_key_proposal(decide(staff, session, [replied], leader, leader), actor=leader)
    key = supervision.sign_off_key_proposal(key, actor=leader)  # one leader holding both parts signs both
    assert key.status == KeyProposal.Status.SIGNED_OFF and KeySignOff.objects.count() == 2
    replied.refresh_from_db()
    assert replied.state == State.REPLIED  # the co-signer has not rated: staff close after the window


def test_an_activity_keeps_a_checked_attachment(stage, staff, leader, session, uploads, media_root):
    key = decide(staff, session, [stage.registered()], leader)
    activity = supervision.record_supervision_activity(key, actor=staff, form="meeting", date="2025-01-06",
                                                       minutes="督办会纪要", attachment=uploads.pdf("纪要.pdf"))
    assert (activity.attachment_name, activity.attachment_type) == ("纪要.pdf", "pdf")
    assert activity.attachment.name.startswith("supervision/") and "纪要" not in activity.attachment.name
    with pytest.raises(InvalidInput):
        supervision.record_supervision_activity(key, actor=staff, form="meeting", date="2025-01-06",
                                                attachment=uploads.fake())
    assert SupervisionActivity.objects.count() == 1
