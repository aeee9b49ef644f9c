"""Unsatisfied ratings: rehandling within the committee's limit, a second reply and a second rating; after
the last allowed round is still 不满意, a face-to-face consultation (面商) before staff close it as unresolved."""

import pytest
from django.utils import timezone

from jianyan.core.errors import InvalidState
from jianyan.handling import workflow as handling
from jianyan.handling.models import Evaluation, Reply
from jianyan.notifications.models import Notification
from jianyan.proposals.models import Proposal, State

U, S = "unsatisfied", "satisfied"


def reply(p, liaison, staff, result_class="B", body="已列入计划。"):
    p.refresh_from_db()
    handling.submit_reply(p, actor=liaison, result_class=result_class, body=body, signer="王局长")
    return handling.approve_reply(p, actor=staff)


def rate(p, user, result):
    handling.evaluate_proposal(p, actor=user, attitude=S, result=result)
    return Proposal.objects.get(pk=p.pk)


def consult(p, staff, form):
    handling.record_consultation(p, actor=staff, form=form, date=timezone.localdate(),
                                 participants="张委员、提案委王、工信局", outcome="说明客观条件限制")


def test_the_second_unsatisfied_path(stage, member, cosigner, staff, liaison):
    p = stage.replied()
    p = rate(p, member, U)
    assert (p.state, p.round) == (State.REHANDLING, 2)
    assert Notification.objects.filter(user=liaison, kind="proposal.rehandling", proposal=p).exists()

    p = reply(p, liaison, staff, body="重新办理：已落实专项资金。")  # the second reply
    assert list(p.replies.filter(status=Reply.Status.APPROVED).values_list("round", flat=True)) == [1, 2]
    p = rate(p, member, U)  # the second rating, 不满意 again: no third round
    assert (p.state, p.round) == (State.REPLIED, 2)
    assert Notification.objects.filter(user=staff, kind="proposal.unsatisfied_again").exists()
    p = rate(p, cosigner, S)
    assert p.state == State.REPLIED

    with pytest.raises(InvalidState, match="当面协商"):
        handling.close_proposal(p, actor=staff, unresolved=True)
    consult(p, staff, "phone")  # a phone call is not a face-to-face consultation
    with pytest.raises(InvalidState, match="当面协商"):
        handling.close_proposal(p, actor=staff, unresolved=True)
    consult(p, staff, "face_to_face")
    p = handling.close_proposal(p, actor=staff, unresolved=True, note="面商后以未解决办结")
    assert (p.state, p.closed_unresolved) == (State.CLOSED, True)
    assert list(Evaluation.objects.filter(proposal=p).values_list("round", "result")) == [(1, U), (2, U), (2, S)]


def test_a_consultation_before_the_second_reply_does_not_count(stage, member, staff, liaison):
    p = rate(stage.replied(), member, U)
    consult(p, staff, "face_to_face")  # held during rehandling, before the second reply
    p = rate(reply(p, liaison, staff), member, U)
    with pytest.raises(InvalidState):
        handling.close_proposal(p, actor=staff, unresolved=True)


def test_a_committee_allowing_two_rehandlings_gives_a_third_round(stage, committee, member, staff, liaison):
    committee.rehandling_limit = 2
    committee.save(update_fields=["rehandling_limit"])
    p = rate(stage.replied(), member, U)
    p = rate(reply(p, liaison, staff), member, U)
    assert (p.state, p.round) == (State.REHANDLING, 3)
    p = rate(reply(p, liaison, staff), member, U)
    assert (p.state, p.round) == (State.REPLIED, 3)
    with pytest.raises(InvalidState):
        handling.close_proposal(p, actor=staff, unresolved=True)
    consult(p, staff, "on_site")
    assert handling.close_proposal(p, actor=staff, unresolved=True).closed_unresolved


def test_a_committee_without_rehandling_goes_straight_to_consultation(stage, committee, member, staff):
    committee.rehandling_limit = 0
    committee.save(update_fields=["rehandling_limit"])
    p = rate(stage.replied(), member, U)
    assert (p.state, p.round) == (State.REPLIED, 1)
    consult(p, staff, "forum")
    assert handling.close_proposal(p, actor=staff, unresolved=True).state == State.CLOSED
