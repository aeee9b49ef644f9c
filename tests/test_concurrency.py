"""Two people acting at once: numbers stay gapless and unique, and one of two conflicting actions wins
while the other gets a clear 409. Real threads and row locks need PostgreSQL."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from jianyan.core.errors import InvalidState
from jianyan.handling import workflow as handling
from jianyan.people.models import Role
from jianyan.proposals import workflow
from jianyan.proposals.models import Proposal, State
from tests.conftest import make_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_in_threads(funcs):
    """Start every function at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(funcs))
    results = [None] * len(funcs)

    def worker(i, func):
        try:
            barrier.wait()
            results[i] = func()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread raised
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(funcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_registrations_get_gapless_unique_numbers(member, staff, themes, build):
    proposals = [build.submitted(member, title=f"关于并发事项{i}的提案") for i in range(8)]
    results = run_in_threads(
        [lambda p=p: workflow.register_proposal(p, actor=staff, theme=themes[0]) for p in proposals]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    numbers = sorted(Proposal.objects.filter(state=State.REGISTERED).values_list("number", flat=True))
    assert numbers == list(range(1, 9))


def test_two_staff_deciding_one_proposal_at_once_one_wins(member, staff, themes, build):
    p = build.submitted(member)
    results = run_in_threads([
        lambda: workflow.register_proposal(p, actor=staff, theme=themes[0]),
        lambda: workflow.convert_proposal(p, actor=staff),
    ])
    wins = [r for r in results if isinstance(r, Proposal)]
    losses = [r for r in results if isinstance(r, InvalidState)]
    assert len(wins) == 1 and len(losses) == 1, results
    p.refresh_from_db()
    assert p.state == wins[0].state
    assert p.events.filter(action__in=["proposal.registered", "proposal.converted"]).count() == 1
    p.session.refresh_from_db()
    assert p.session.last_number == (1 if p.state == State.REGISTERED else 0)


@pytest.fixture
def staff2(committee, session):
    return make_user("staff2", committee, Role.STAFF, "提案委李")


def assignment_outcome(p):
    p.refresh_from_db()
    return p.state, sorted(p.assignments.values_list("unit_id", "mode")), p.events.filter(action="proposal.assigned").count()


def test_two_staff_assigning_one_proposal_at_once_one_wins(stage, staff, staff2, unit_gxj, unit_kjj):
    p = stage.registered()
    plans = [[{"unit": unit_gxj.pk, "mode": "lead"}],
             [{"unit": unit_kjj.pk, "mode": "lead"}, {"unit": unit_gxj.pk, "mode": "co"}]]
    results = run_in_threads([
        lambda: handling.assign_proposal(p, actor=staff, units=plans[0]),
        lambda: handling.assign_proposal(p, actor=staff2, units=plans[1]),
    ])
    wins = [i for i, r in enumerate(results) if isinstance(r, Proposal)]
    losses = [r for r in results if isinstance(r, InvalidState)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "已交办" in losses[0].message and "可能已被他人处理" in losses[0].message
    winner = sorted((u["unit"], u["mode"]) for u in plans[wins[0]])
    assert assignment_outcome(p) == (State.ASSIGNED, winner, 1)  # one set of assignments, one audit event


def test_two_staff_assigning_on_the_proposal_page_at_once_the_other_gets_a_409(stage, staff, staff2, unit_gxj,
                                                                              unit_kjj):
    p = stage.registered()
    browsers = [Client(), Client()]
    for browser, user in zip(browsers, (staff, staff2), strict=True):
        browser.force_login(user)
    url = reverse("proposals:act", args=[p.pk, "assign"])
    forms = [{"lead": unit_gxj.pk}, {"lead": unit_kjj.pk, "co": [unit_gxj.pk]}]
    responses = run_in_threads([lambda b=b, f=f: b.post(url, f) for b, f in zip(browsers, forms, strict=True)])
    assert sorted(r.status_code for r in responses) == [302, 409], responses
    loser = next(r for r in responses if r.status_code == 409)
    assert "已交办" in loser.content.decode() and "可能已被他人处理，请刷新后重试" in loser.content.decode()
    won = forms[[r.status_code for r in responses].index(302)]
    winner = sorted([(won["lead"], "lead"), *((u, "co") for u in won.get("co", []))])
    assert assignment_outcome(p) == (State.ASSIGNED, winner, 1)
