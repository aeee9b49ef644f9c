"""Two people acting at once: numbers stay gapless and unique, and one of two conflicting actions wins
while the other gets a clear 409. Real threads and row locks need PostgreSQL."""

import threading

import pytest
from django.db import connection, connections

from jianyan.core.errors import InvalidState
from jianyan.proposals import workflow
from jianyan.proposals.models import Proposal, State

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
