"""Drafting, co-signing, submission and the review decisions (立案, 不予立案, 并案, 转意见建议, 退回修改)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from jianyan.core.errors import Conflict, InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.core.models import AuditEvent
from jianyan.notifications.models import Notification
from jianyan.proposals import workflow
from jianyan.proposals.models import Kind, Proposer, ProposerType, State


def test_member_drafts_a_proposal_that_only_they_can_see(member, staff, build):
    p = build.draft(member)
    assert p.state == State.DRAFT
    assert p.proposer_type == ProposerType.MEMBER
    with pytest.raises(NotFound):
        workflow.register_proposal(p, actor=staff, theme=1)


def test_submit_without_cosigners_goes_to_review_and_tells_staff(member, staff, build):
    p = workflow.submit_proposal(build.draft(member), actor=member)
    assert p.state == State.SUBMITTED
    assert p.kind == Kind.PLENARY
    assert Notification.objects.filter(user=staff, kind="proposal.submitted", proposal=p).count() == 1


def test_submission_after_the_deadline_becomes_an_interim_proposal(member, session, build):
    p = build.draft(member)
    with time_machine.travel(session.submission_deadline + dt.timedelta(days=1), tick=False):
        p = workflow.submit_proposal(p, actor=member)
    assert p.kind == Kind.INTERIM


def test_submit_needs_suggestions(member, build):
    p = workflow.create_proposal(actor=member, title="关于改善公交的提案", background="公交线路少。", suggestions=[])
    with pytest.raises(InvalidInput) as err:
        workflow.submit_proposal(p, actor=member)
    assert "具体建议" in err.value.message
    p.refresh_from_db()
    assert p.state == State.DRAFT


def test_body_longer_than_the_committee_limit_is_refused(member, committee, build):
    committee.body_max_chars = 20
    committee.save()
    with pytest.raises(InvalidInput) as err:
        workflow.submit_proposal(build.draft(member), actor=member)
    assert "上限" in err.value.message


def test_cosigners_must_confirm_before_it_is_submitted(member, cosigner, staff, build):
    p = workflow.submit_proposal(build.draft(member, cosigners=["member2"]), actor=member)
    assert p.state == State.COSIGNING
    assert p.proposer_type == ProposerType.JOINT
    assert Notification.objects.filter(user=cosigner, kind="proposal.cosign_requested").exists()
    assert not Notification.objects.filter(user=staff).exists()
    p = workflow.respond_to_cosign(p, actor=cosigner, accept=True)
    assert p.state == State.SUBMITTED
    assert p.proposers.get(user=cosigner).status == Proposer.Status.ACCEPTED
    with pytest.raises(InvalidState):
        workflow.respond_to_cosign(p, actor=cosigner, accept=False)


def test_a_late_cosignature_does_not_count(member, cosigner, build):
    p = workflow.submit_proposal(build.draft(member, cosigners=["member2"]), actor=member)
    with time_machine.travel(p.cosign_deadline + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(InvalidState):
            workflow.respond_to_cosign(p, actor=cosigner, accept=True)
    p = workflow.submit_proposal(p, actor=member)
    assert p.state == State.SUBMITTED
    assert p.proposers.get(user=cosigner).status == Proposer.Status.DROPPED


def test_cosigners_must_be_members_of_the_committee(member, outsider, build):
    with pytest.raises(InvalidInput):
        build.draft(member, cosigners=["outsider"])
    with pytest.raises(InvalidInput):
        build.draft(member, cosigners=["member1"])


def test_party_clerk_writes_a_collective_proposal(clerk, party, build):
    p = build.draft(clerk)
    assert p.proposer_type == ProposerType.PARTY
    assert p.is_collective
    assert p.proposers.get().organisation == party


def test_registration_numbers_are_sequential_per_session(member, staff, themes, build):
    numbers = [build.registered(member, staff, themes[0], title=f"关于事项{i}的提案").number for i in range(3)]
    assert numbers == [1, 2, 3]
    p = build.registered(member, staff, themes[1])
    assert p.display_number == "第0004号"
    event = AuditEvent.objects.filter(proposal=p, action="proposal.registered").get()
    assert (event.from_state, event.to_state, event.actor) == (State.SUBMITTED, State.REGISTERED, staff)


def test_registering_twice_is_a_conflict_not_a_second_number(member, staff, themes, build):
    p = build.submitted(member)
    workflow.register_proposal(p, actor=staff, theme=themes[0])
    with pytest.raises(InvalidState) as err:
        workflow.register_proposal(p, actor=staff, theme=themes[0])
    assert "已立案" in err.value.message
    p.session.refresh_from_db()
    assert p.session.last_number == 1


def test_theme_must_belong_to_the_committee(member, staff, build):
    with pytest.raises(InvalidInput):
        workflow.register_proposal(build.submitted(member), actor=staff, theme=999999)


def test_reject_needs_a_coded_reason(member, staff, build):
    p = build.submitted(member)
    with pytest.raises(InvalidInput):
        workflow.reject_proposal(p, actor=staff, reason_code="R99")
    p = workflow.reject_proposal(p, actor=staff, reason_code="R7", note="属个人事项")
    assert p.state == State.NOT_REGISTERED
    assert p.reject_reason.code == "R7"
    assert Notification.objects.filter(user=member, kind="proposal.not_registered").exists()


def test_merge_into_a_registered_host(member, cosigner, staff, themes, build):
    host = build.registered(member, staff, themes[0])
    p = build.submitted(cosigner, title="关于传统产业技术改造的提案")
    with pytest.raises(InvalidInput):
        workflow.merge_proposal(p, actor=staff, into=p.pk)
    p = workflow.merge_proposal(p, actor=staff, into=host.pk, note="内容相近")
    assert p.state == State.MERGED
    assert p.merge_host == host
    assert p.number is None


def test_merge_refuses_a_host_that_is_not_registered(member, cosigner, staff, build):
    host = build.submitted(member)
    p = build.submitted(cosigner)
    with pytest.raises(InvalidInput):
        workflow.merge_proposal(p, actor=staff, into=host.pk)


def test_convert_to_an_opinion(member, staff, build):
    p = workflow.convert_proposal(build.submitted(member), actor=staff, note="转社情民意")
    assert p.state == State.CONVERTED


def test_return_for_revision_then_edit_and_resubmit(member, staff, themes, build):
    p = workflow.return_proposal(build.submitted(member), actor=staff, note="请补充具体建议")
    assert p.state == State.RETURNED
    p = workflow.edit_proposal(p, actor=member, changes={"suggestions": ["一", "二", "三"]},
                               expected_version=p.version)
    p = workflow.submit_proposal(p, actor=member)
    assert p.state == State.SUBMITTED
    assert workflow.register_proposal(p, actor=staff, theme=themes[0]).state == State.REGISTERED


def test_return_requires_a_note(member, staff, build):
    with pytest.raises(InvalidInput):
        workflow.return_proposal(build.submitted(member), actor=staff, note="  ")


def test_stale_edit_is_a_conflict(member, build):
    p = build.draft(member)
    workflow.edit_proposal(p, actor=member, changes={"title": "关于新标题的提案"}, expected_version=p.version)
    with pytest.raises(Conflict):
        workflow.edit_proposal(p, actor=member, changes={"title": "关于另一个标题的提案"}, expected_version=p.version)


def test_edit_refuses_unknown_fields_and_submitted_proposals(member, build):
    p = build.draft(member)
    with pytest.raises(InvalidInput):
        workflow.edit_proposal(p, actor=member, changes={"state": "closed"})
    p = workflow.submit_proposal(p, actor=member)
    with pytest.raises(InvalidState):
        workflow.edit_proposal(p, actor=member, changes={"title": "关于x的提案"})


def test_staff_of_another_committee_cannot_see_it(member, outsider, build):
    with pytest.raises(NotFound):
        workflow.return_proposal(build.submitted(member), actor=outsider, note="x")


def test_a_cosigner_may_see_but_not_register(member, cosigner, themes, build):
    p = workflow.submit_proposal(build.draft(member, cosigners=["member2"]), actor=member)
    with pytest.raises(NotAllowed):
        workflow.register_proposal(workflow.respond_to_cosign(p, actor=cosigner, accept=True),
                                   actor=cosigner, theme=themes[0])


def test_every_review_step_is_in_the_audit_trail(member, staff, build):
    p = workflow.return_proposal(build.submitted(member), actor=staff, note="补充")
    actions = list(AuditEvent.objects.filter(proposal=p).values_list("action", "to_state"))
    assert actions == [("proposal.created", "draft"), ("proposal.submitted", "submitted"),
                       ("proposal.returned", "returned")]


def test_audit_events_cannot_be_changed(member, build):
    event = AuditEvent.objects.filter(proposal=build.draft(member)).first()
    event.note = "篡改"
    with pytest.raises(ValueError):
        event.save()


def test_created_at_uses_the_clock(member, build):
    with time_machine.travel(dt.datetime(2024, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        p = build.draft(member)
    assert timezone.localtime(p.created_at).date() == dt.date(2024, 1, 5)
