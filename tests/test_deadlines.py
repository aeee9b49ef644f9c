"""Every deadline on the working-day calendar, around the 2024 National Day week: 1–7 October off,
Sunday 29 September and Saturday 12 October worked (调休). Periods in months and the committee's windows
in days move off holidays to the next working day; the policy's periods count working days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jianyan.core.errors import InvalidState
from jianyan.handling import workflow
from jianyan.handling.models import Assignment
from jianyan.proposals import workflow as proposals
from jianyan.proposals.models import Kind
from jianyan.workdays import deadlines, status
from jianyan.workdays.models import CalendarException, DeadlinePolicy

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _autumn_2024():
    """Fixtures (the session, its plenary deadline) are built on Thursday 26 September 2024."""
    with time_machine.travel(at(2024, 9, 26), tick=False):
        yield


LEAD = "lead"


@pytest.fixture
def assigned(member, staff, themes, unit_gxj, liaison, build):
    """A proposal assigned on Thursday 26 September 2024 to 工信局 as lead."""
    return build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": LEAD}])


def test_handling_due_ending_on_national_day_moves_to_the_first_working_day(assigned, committee):
    assert deadlines.handling_due(assigned, D(2024, 7, 1)) == D(2024, 10, 8)  # 1 Oct + 0 → 8 Oct
    assert deadlines.handling_due(assigned, D(2024, 6, 12)) == D(2024, 9, 12)  # a working day stays
    assert deadlines.handling_due(assigned, D(2024, 6, 29)) == D(2024, 9, 29)  # the 调休 Sunday is a working day
    assert assigned.assignments.get().due_date == D(2024, 12, 26)  # 3 months from 26 September


def test_plenary_and_interim_proposals_take_their_own_handling_months(assigned):
    assigned.committee.handling_months, assigned.committee.interim_handling_months = 5, 2
    assert deadlines.handling_due(assigned, D(2024, 5, 1)) == D(2024, 10, 8)
    assigned.kind = Kind.INTERIM
    assert deadlines.handling_due(assigned, D(2024, 8, 1)) == D(2024, 10, 8)
    assert deadlines.handling_due(assigned, D(2024, 7, 15)) == D(2024, 9, 18)  # a Wednesday


def test_a_local_holiday_moves_the_handling_due_date_again(assigned, committee):
    CalendarException.objects.create(committee=committee, date=D(2024, 10, 8), kind="holiday", name="本市放假")
    committee = type(committee).objects.get(pk=committee.pk)  # a fresh instance reloads the calendar
    assigned.committee = committee
    assert deadlines.handling_due(assigned, D(2024, 7, 1)) == D(2024, 10, 9)


def test_return_window_ending_in_the_holiday_stays_open_until_the_first_working_day(assigned, liaison):
    a = assigned.assignments.get()
    assert deadlines.return_window_end(a) == D(2024, 10, 8)  # 26 Sep + 5 days = 1 Oct → 8 Oct
    with time_machine.travel(at(2024, 10, 9), tick=False), pytest.raises(InvalidState) as err:
        workflow.request_return(assigned, actor=liaison, reason="不属于本单位职能")
    assert "2024年10月8日" in err.value.message
    with time_machine.travel(at(2024, 10, 8, 16), tick=False):
        p = workflow.request_return(assigned, actor=liaison, reason="不属于本单位职能")
    assert p.state == "return_requested"


def test_co_opinion_due_counts_working_days_across_the_holiday(member, staff, themes, unit_gxj, unit_kjj, build):
    p = build.assigned(member, staff, themes[0], [{"unit": unit_gxj.pk, "mode": LEAD}, {"unit": unit_kjj.pk, "mode": "co"}])
    co = p.assignments.get(mode="co")
    # 27 Sep, 29 Sep (调休), 30 Sep, 8–12 Oct (12th 调休), 14–18, 21–25, 28, 29 Oct: the 20th is 29 October
    assert deadlines.co_opinion_due(co) == D(2024, 10, 29)


def test_cosign_deadline_after_the_plenary_deadline_counts_working_days(member, cosigner, session):
    session.submission_deadline = at(2024, 9, 1)
    session.save(update_fields=["submission_deadline"])
    with time_machine.travel(at(2024, 9, 27), tick=False):  # Friday
        p = proposals.create_proposal(actor=member, title="关于加快传统产业改造升级的提案", background="背景。",
                                      suggestions=["建议一"], cosigners=[cosigner.username])
        p = proposals.submit_proposal(p, actor=member)
    p.refresh_from_db()
    # 29 Sep (调休), 30 Sep, 8, 9, 10 Oct: five working days
    assert p.state == "cosigning"
    assert p.cosign_deadline.astimezone(TZ).date() == D(2024, 10, 10)


def test_cosign_before_the_plenary_deadline_keeps_the_plenary_deadline(member, session, assigned):
    assert deadlines.cosign_deadline(assigned, at(2024, 9, 26)) == session.submission_deadline


def test_review_due_counts_working_days(member, build):
    with time_machine.travel(at(2024, 9, 27), tick=False):
        p = build.submitted(member)
    assert deadlines.review_due(p) == D(2024, 10, 16)  # 29, 30 Sep, 8–12, 14, 15, 16 Oct


def test_evaluation_window_ending_on_national_day_lets_staff_close_only_after_8_october(assigned, liaison, staff):
    p = workflow.sign_assignment(assigned, actor=liaison)
    with time_machine.travel(at(2024, 9, 16), tick=False):  # replied on Monday 16 September: 15 days → 1 Oct
        workflow.submit_reply(p, actor=liaison, result_class="A", body="已办理。", signer="局长")
        p = workflow.approve_reply(p, actor=staff)
    assert deadlines.evaluation_due(p.committee, workflow.replied_at(p)) == D(2024, 10, 8)
    with time_machine.travel(at(2024, 10, 8, 17), tick=False), pytest.raises(InvalidState) as err:
        workflow.close_proposal(p, actor=staff)
    assert "评价期（15天）尚未结束" in err.value.message and "2024年10月8日" in err.value.message
    with time_machine.travel(at(2024, 10, 9), tick=False):
        assert workflow.close_proposal(p, actor=staff).state == "closed"


def test_rehandling_due_is_set_when_a_proposer_is_unsatisfied(assigned, liaison, staff, member):
    p = workflow.sign_assignment(assigned, actor=liaison)
    workflow.submit_reply(p, actor=liaison, result_class="B", body="正在办理。", signer="局长")
    p = workflow.approve_reply(p, actor=staff)
    with time_machine.travel(at(2024, 12, 30), tick=False):  # + 3 months = 30 March 2025, a Sunday → 31 March
        workflow.evaluate_proposal(p, actor=member, attitude="satisfied", result="unsatisfied")
    a = Assignment.objects.get(proposal=p)
    assert a.rehandling_due_date == D(2025, 3, 31)
    a = Assignment.objects.select_related("proposal__committee").get(pk=a.pk)
    with time_machine.travel(at(2025, 3, 28), tick=False):  # Friday: one working day left
        status.annotate_assignments([a])
    assert (a.deadline.what, a.deadline.due, a.deadline.level, a.deadline.days_left) == ("重新办理", D(2025, 3, 31), "near", 1)


def test_extension_cap_is_one_step_and_an_absolute_cap_moved_off_holidays(assigned, committee):
    a = assigned.assignments.get()
    a.due_date = D(2024, 9, 8)
    assert deadlines.extension_limit(a) == D(2024, 10, 8)  # 8 Sep + 1 month = 8 Oct
    DeadlinePolicy.objects.create(committee=committee, extension_max_months=5, handling_cap_months=4)
    committee = type(committee).objects.get(pk=committee.pk)
    # 26 Sep + 4 months = 26 Jan 2025 (Sunday, a 2025 调休 working day)
    assert deadlines.extension_limit(a, committee) == D(2025, 1, 26)


# ---- the deadline status (正常 / 临期 / 超期) ----------------------------------------------------

def test_status_is_near_within_n_working_days_and_overdue_after_the_due_date(committee):
    due = D(2024, 10, 8)
    assert status.status_for(due, committee, D(2024, 9, 26)).level == "normal"  # 27, 29, 30 Sep, 8 Oct: 4
    near = status.status_for(due, committee, D(2024, 9, 27))
    assert (near.level, near.days_left, near.label, near.css) == ("near", 3, "临期", "warn")
    assert status.status_for(due, committee, D(2024, 10, 8)).text == "今天到期"
    late = status.status_for(due, committee, D(2024, 10, 9))
    assert (late.level, late.label, late.css) == ("overdue", "超期", "danger")
    DeadlinePolicy.objects.create(committee=committee, near_due_working_days=5)
    fresh = type(committee).objects.get(pk=committee.pk)
    assert status.status_for(due, fresh, D(2024, 9, 25)).level == "near"  # 5 working days left


def test_overdue_assignments_are_open_lead_assignments_past_their_due_date(assigned, liaison, staff, committee):
    a = assigned.assignments.get()
    assert not status.overdue_assignments(committee, on=a.due_date).exists()
    assert list(status.overdue_assignments(committee, on=a.due_date + dt.timedelta(days=1))) == [a]
    p = workflow.sign_assignment(assigned, actor=liaison)
    workflow.submit_reply(p, actor=liaison, result_class="A", body="已办理。", signer="局长")
    workflow.approve_reply(p, actor=staff)
    assert not status.overdue_assignments(committee, on=a.due_date + dt.timedelta(days=1)).exists()
