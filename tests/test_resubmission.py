"""A proposal returned for revision keeps the kind (大会/平时) of its first arrival."""

import datetime as dt

import time_machine

from jianyan.proposals import workflow
from jianyan.proposals.models import Kind, State


def test_resubmission_after_the_deadline_keeps_a_plenary_proposal_plenary(member, staff, session, build):
    p = build.submitted(member)
    first_arrival = p.submitted_at
    p = workflow.return_proposal(p, actor=staff, note="请补充具体建议")
    with time_machine.travel(session.submission_deadline + dt.timedelta(days=2), tick=False):
        p = workflow.submit_proposal(p, actor=member)
    assert p.state == State.SUBMITTED
    assert p.kind == Kind.PLENARY
    assert p.submitted_at == first_arrival


def test_first_submission_after_the_deadline_is_still_interim(member, session, build):
    p = build.draft(member)
    with time_machine.travel(session.submission_deadline + dt.timedelta(days=1), tick=False):
        p = workflow.submit_proposal(p, actor=member)
    assert p.kind == Kind.INTERIM
