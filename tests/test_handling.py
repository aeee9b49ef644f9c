"""Handling: assignment, signing, return requests, consultations, co-opinions, replies and their audit,
evaluation, rehandling and closing."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from jianyan.core.errors import InvalidInput, InvalidState, NotAllowed, NotFound
from jianyan.handling import workflow
from jianyan.handling.models import Assignment, Reply
from jianyan.notifications.models import Notification
from jianyan.proposals.models import State


@pytest.fixture
def plan(unit_gxj, unit_kjj):
    return [{"unit": unit_gxj.pk, "mode": "lead"}, {"unit": unit_kjj.pk, "mode": "co"}]


@pytest.fixture
def handling_proposal(member, cosigner, staff, liaison, liaison2, themes, plan, build):
    """A joint proposal (member1 + member2) assigned to 市工信局 (lead) and 市科技局 (co), both signed."""
    from jianyan.proposals import workflow as proposals

    p = proposals.submit_proposal(build.draft(member, cosigners=["member2"]), actor=member)
    p = proposals.respond_to_cosign(p, actor=cosigner, accept=True)
    p = proposals.register_proposal(p, actor=staff, theme=themes[0])
    p = workflow.assign_proposal(p, actor=staff, units=plan)
    p = workflow.sign_assignment(p, actor=liaison2)
    return workflow.sign_assignment(p, actor=liaison)


def reply_and_approve(p, liaison, staff, result_class="A"):
    p.refresh_from_db()
    workflow.submit_reply(p, actor=liaison, result_class=result_class, body="已制定行动方案。", signer="王局长")
    return workflow.approve_reply(p, actor=staff)


def test_assignment_defaults_the_due_date_from_the_committee_policy(member, staff, themes, plan, build):
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, tzinfo=dt.UTC), tick=False):
        p = build.assigned(member, staff, themes[0], plan)
    assert p.state == State.ASSIGNED
    assert {a.due_date for a in p.assignments.all()} == {dt.date(2025, 6, 10)}


def test_assignment_tells_each_unit(member, staff, liaison, liaison2, themes, plan, build):
    p = build.assigned(member, staff, themes[0], plan)
    assert Notification.objects.filter(kind="proposal.assigned", proposal=p).count() == 2


@pytest.mark.parametrize("modes", [["lead", "lead"], ["co"], ["separate", "co"], ["lead", "separate"], []])
def test_assignment_plans_that_make_no_sense_are_refused(member, staff, themes, unit_gxj, unit_kjj, build, modes):
    p = build.registered(member, staff, themes[0])
    units = [{"unit": u.pk, "mode": m} for u, m in zip([unit_gxj, unit_kjj], modes, strict=False)]
    with pytest.raises(InvalidInput):
        workflow.assign_proposal(p, actor=staff, units=units)
    p.refresh_from_db()
    assert p.state == State.REGISTERED and not p.assignments.exists()


def test_assignment_refuses_a_past_due_date_and_foreign_units(member, staff, themes, unit_gxj, build, outsider):
    p = build.registered(member, staff, themes[0])
    with pytest.raises(InvalidInput):
        workflow.assign_proposal(p, actor=staff, units=[{"unit": unit_gxj.pk, "mode": "lead"}], due_date="2000-01-01")
    with pytest.raises(InvalidInput):
        workflow.assign_proposal(p, actor=staff, units=[{"unit": 987654, "mode": "lead"}])
    with pytest.raises(InvalidInput):
        workflow.assign_proposal(p, actor=staff, units=[{"unit": unit_gxj.pk, "mode": "lead"}], due_date="明天")


def test_handling_starts_when_every_unit_has_signed(member, staff, liaison, liaison2, themes, plan, build):
    p = build.assigned(member, staff, themes[0], plan)
    p = workflow.sign_assignment(p, actor=liaison)
    assert p.state == State.ASSIGNED
    with pytest.raises(InvalidState):
        workflow.sign_assignment(p, actor=liaison)
    p = workflow.sign_assignment(p, actor=liaison2)
    assert p.state == State.HANDLING


def test_a_unit_not_assigned_cannot_see_the_proposal(member, staff, liaison2, themes, unit_gxj, build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"}])
    with pytest.raises(NotFound):
        workflow.sign_assignment(p, actor=liaison2)


def test_return_request_within_the_window_and_reassignment(member, staff, liaison, liaison2, themes, unit_gxj,
                                                          unit_kjj, build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"}])
    p = workflow.request_return(p, actor=liaison, reason="不属于本单位职能")
    assert p.state == State.RETURN_REQUESTED
    assert Notification.objects.filter(user=staff, kind="assignment.return_requested").exists()
    with pytest.raises(InvalidInput):
        workflow.decide_return(p, actor=staff, accept=True)  # the lead left: a new one must be named
    p = workflow.decide_return(p, actor=staff, accept=True, units=[{"unit": unit_kjj.pk, "mode": "lead"}])
    assert p.state == State.ASSIGNED
    assert [(a.unit, a.is_active) for a in p.assignments.order_by("id")] == [(unit_gxj, False), (unit_kjj, True)]
    with pytest.raises(NotFound):
        workflow.sign_assignment(p, actor=liaison)
    assert workflow.sign_assignment(p, actor=liaison2).state == State.HANDLING


def test_rejected_return_request_keeps_the_unit_on_it(member, staff, liaison, themes, unit_gxj, build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"}])
    p = workflow.request_return(p, actor=liaison, reason="职能交叉")
    p = workflow.decide_return(p, actor=staff, accept=False, note="请按交办意见办理")
    assert p.state == State.ASSIGNED
    assert p.assignments.get().is_active
    assert Notification.objects.filter(user=liaison, kind="assignment.return_decided").exists()


def test_return_request_after_the_window_is_refused(member, staff, liaison, themes, unit_gxj, build, committee):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "lead"}])
    with time_machine.travel(timezone.now() + dt.timedelta(days=committee.return_window_days + 14), tick=False):
        with pytest.raises(InvalidState) as err:
            workflow.request_return(p, actor=liaison, reason="不属于本单位职能")
    assert "期限" in err.value.message


def test_only_the_co_unit_writes_a_co_opinion_and_only_lead_replies(handling_proposal, liaison, liaison2):
    p = handling_proposal
    workflow.record_co_opinion(p, actor=liaison2, text="建议结合科技创新专项资金统筹考虑。")
    with pytest.raises(NotAllowed):
        workflow.record_co_opinion(p, actor=liaison, text="主办单位不写会办意见")
    with pytest.raises(NotAllowed):
        workflow.submit_reply(p, actor=liaison2, result_class="A", body="会办单位不直接答复", signer="李")


def test_reply_class_must_be_one_the_committee_uses(handling_proposal, liaison, committee):
    with pytest.raises(InvalidInput):
        workflow.submit_reply(handling_proposal, actor=liaison, result_class="D", body="正文", signer="王")
    committee.result_classes = "ABCD"
    committee.save()
    handling_proposal.refresh_from_db()
    reply = workflow.submit_reply(handling_proposal, actor=liaison, result_class="D", body="正文", signer="王")
    assert reply.result_class == "D"


def test_reply_audit_can_change_the_class_or_send_it_back(handling_proposal, liaison, staff, member):
    p = handling_proposal
    workflow.submit_reply(p, actor=liaison, result_class="A", body="已解决", signer="王局长")
    p.refresh_from_db()
    assert p.state == State.REPLY_AUDIT
    p = workflow.send_back_reply(p, actor=staff, note="答复过于简单")
    assert p.state == State.HANDLING
    assert Reply.objects.get().status == Reply.Status.SENT_BACK
    workflow.submit_reply(p, actor=liaison, result_class="A", body="已出台方案并落实资金", signer="王局长")
    p = workflow.approve_reply(p, actor=staff, result_class="B")
    assert p.state == State.REPLIED
    assert Reply.objects.filter(status=Reply.Status.APPROVED).get().result_class == "B"
    assert Notification.objects.filter(user=member, kind="reply.sent").exists()


def test_separate_units_each_reply_before_audit(member, staff, liaison, liaison2, themes, unit_gxj, unit_kjj, build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": "separate"},
                                                 {"unit": unit_kjj.pk, "mode": "separate"}])
    workflow.sign_assignment(p, actor=liaison)
    workflow.sign_assignment(p, actor=liaison2)
    workflow.submit_reply(p, actor=liaison, result_class="A", body="工信局答复", signer="王")
    p.refresh_from_db()
    assert p.state == State.HANDLING
    workflow.submit_reply(p, actor=liaison2, result_class="B", body="科技局答复", signer="李")
    p.refresh_from_db()
    assert p.state == State.REPLY_AUDIT
    p = workflow.approve_reply(p, actor=staff)
    assert p.state == State.REPLIED
    assert p.replies.filter(status=Reply.Status.APPROVED).count() == 2


def test_all_proposers_satisfied_closes_it(handling_proposal, liaison, staff, member, cosigner):
    p = reply_and_approve(handling_proposal, liaison, staff)
    workflow.evaluate_proposal(p, actor=member, attitude="satisfied", result="basically_satisfied")
    p.refresh_from_db()
    assert p.state == State.REPLIED  # the co-signer has not rated yet
    with pytest.raises(InvalidState):
        workflow.evaluate_proposal(p, actor=member, attitude="satisfied", result="satisfied")
    workflow.evaluate_proposal(p, actor=cosigner, attitude="satisfied", result="satisfied")
    p.refresh_from_db()
    assert p.state == State.CLOSED and p.closed_at is not None


def test_unsatisfied_goes_to_rehandling_then_unresolved_close(handling_proposal, liaison, staff, member, cosigner):
    p = reply_and_approve(handling_proposal, liaison, staff, "C")
    workflow.evaluate_proposal(p, actor=member, attitude="satisfied", result="unsatisfied", comment="未落实")
    p.refresh_from_db()
    assert (p.state, p.round) == (State.REHANDLING, 2)
    assert Notification.objects.filter(user=liaison, kind="proposal.rehandling").exists()
    p = reply_and_approve(p, liaison, staff, "B")
    assert p.replies.filter(round=2, status=Reply.Status.APPROVED).count() == 1
    workflow.evaluate_proposal(p, actor=cosigner, attitude="satisfied", result="unsatisfied")
    p.refresh_from_db()
    assert p.state == State.REPLIED
    with pytest.raises(InvalidState):
        workflow.close_proposal(p, actor=staff, unresolved=True)
    workflow.record_consultation(p, actor=staff, form="face_to_face", date=timezone.localdate(),
                                 participants="提案人、工信局", outcome="当面说明客观条件限制")
    p = workflow.close_proposal(p, actor=staff, unresolved=True, note="当面协商后办结")
    assert p.state == State.CLOSED and p.closed_unresolved


def test_staff_close_after_the_evaluation_window_leaves_missing_ratings_unrated(handling_proposal, liaison, staff,
                                                                              member, committee):
    p = reply_and_approve(handling_proposal, liaison, staff)
    with pytest.raises(InvalidState):
        workflow.close_proposal(p, actor=staff)
    later = timezone.now() + dt.timedelta(days=committee.evaluation_window_days + 10)  # past any holiday roll-forward
    with time_machine.travel(later, tick=False):
        p = workflow.close_proposal(p, actor=staff, unresolved=True)
    assert p.state == State.CLOSED and not p.closed_unresolved
    assert not p.evaluations.exists()


def test_evaluation_values_are_checked(handling_proposal, liaison, staff, member, outsider, leader):
    p = reply_and_approve(handling_proposal, liaison, staff)
    with pytest.raises(InvalidInput):
        workflow.evaluate_proposal(p, actor=member, attitude="great", result="satisfied")
    with pytest.raises(NotFound):
        workflow.evaluate_proposal(p, actor=outsider, attitude="satisfied", result="satisfied")
    with pytest.raises(NotAllowed):
        workflow.evaluate_proposal(p, actor=leader, attitude="satisfied", result="satisfied")


def test_consultation_is_recorded_without_changing_state(handling_proposal, liaison):
    c = workflow.record_consultation(handling_proposal, actor=liaison, form="on_site", date="2020-05-01",
                                     participants="张委员", outcome="现场查看")
    handling_proposal.refresh_from_db()
    assert handling_proposal.state == State.HANDLING
    assert c.unit.name == "市工信局"
    with pytest.raises(InvalidInput):
        workflow.record_consultation(handling_proposal, actor=liaison, form="telepathy", date="2020-05-01",
                                     participants="x", outcome="y")


def test_quality_rating_is_once_per_unit_and_checked(handling_proposal, liaison):
    scores = {"science": 18, "seriousness": 17, "feasibility": 16, "norm": 19, "impact": 15}
    rating = workflow.rate_quality(handling_proposal, actor=liaison, scores=scores)
    assert (rating.total, rating.grade) == (85, "良好")
    with pytest.raises(InvalidState):
        workflow.rate_quality(handling_proposal, actor=liaison, scores=scores)
    with pytest.raises(InvalidInput):
        workflow.rate_quality(handling_proposal, actor=liaison, scores={"science": 50})


def test_assignment_rows_stay_consistent(handling_proposal):
    assert Assignment.objects.filter(proposal=handling_proposal, is_active=True).count() == 2
