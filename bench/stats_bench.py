"""Times `year_statistics` on a large year (default 100,000 proposals) in a scratch SQLite database.

    .venv/bin/python bench/stats_bench.py [N]

The rows are bulk-inserted (not built through the workflow, which would take hours): registered and
closed proposals with a lead unit (a third with a co-handler), an approved reply, one or two proposers
each rating it, plus some not registered. The target is ≤ 1 s for `year_statistics`."""

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
db = Path(tempfile.mkdtemp()) / "stats-bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from jianyan.handling.models import Assignment, Evaluation, Reply  # noqa: E402
from jianyan.people.models import Committee, Profile, Role, Session, Term, Unit  # noqa: E402
from jianyan.people.setup import seed_reason_codes, seed_themes  # noqa: E402
from jianyan.proposals.models import Proposal, Proposer, State  # noqa: E402
from jianyan.reports.statistics import year_statistics  # noqa: E402


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    User = get_user_model()
    started = time.monotonic()
    with transaction.atomic():
        c = Committee.objects.create(code="bench", name="基准政协", short_name="基准", place="某市")
        seed_reason_codes(c)
        themes = seed_themes(c)
        term = Term.objects.create(committee=c, number=1, start_year=2024)
        session = Session.objects.create(term=term, sitting=1, year=2024, plenary_start=dt.date(2024, 1, 8),
                                         plenary_end=dt.date(2024, 1, 11),
                                         submission_deadline=timezone.now().replace(year=2024, month=1, day=11))
        units = [Unit.objects.create(committee=c, name=f"单位{i}") for i in range(40)]
        User.objects.bulk_create(User(username=f"b{i}", password="!") for i in range(2000))  # noqa: S106 (unusable)
        users = list(User.objects.filter(username__startswith="b"))
        Profile.objects.bulk_create(Profile(user=u, committee=c, role=Role.MEMBER, display_name=u.username)
                                    for u in users)
        reason = c.reason_codes.first()
        states = [State.CLOSED] * 90 + [State.NOT_REGISTERED, State.MERGED, State.CONVERTED, State.SUBMITTED,
                                        State.HANDLING, State.REPLIED]
        author = users[0]
        Proposal.objects.bulk_create(
            (Proposal(committee=c, session=session, created_by=author, title=f"关于第{i}件事的提案", number=i + 1,
                      state=(st := rng.choice(states)), theme=rng.choice(themes),
                      reject_reason=reason if st == State.NOT_REGISTERED else None,
                      proposer_type=rng.choice(["member", "member", "joint", "party"]))
             for i in range(n)), batch_size=5000)
        proposals = list(Proposal.objects.filter(session=session).values_list("id", "state"))
        handled = [(pid, st) for pid, st in proposals if st in (State.CLOSED, State.HANDLING, State.REPLIED)]
        Proposer.objects.bulk_create(
            (Proposer(proposal_id=pid, user=rng.choice(users), role="first") for pid, _ in proposals),
            batch_size=5000, ignore_conflicts=True)
        due = dt.date(2024, 6, 12)
        Assignment.objects.bulk_create(
            (Assignment(proposal_id=pid, unit=rng.choice(units[1:]), mode="lead", due_date=due) for pid, _ in handled),
            batch_size=5000)
        Assignment.objects.bulk_create(
            (Assignment(proposal_id=pid, unit=units[0], mode="co", due_date=due) for pid, _ in handled[::3]),
            batch_size=5000)
        leads = Assignment.objects.filter(mode="lead", proposal__state__in=[State.CLOSED, State.REPLIED])
        Reply.objects.bulk_create(
            (Reply(proposal_id=pid, assignment_id=aid, result_class=rng.choice("ABC"), proposed_class="A", body="答复",
                   signer="某", status="approved", written_by=author, written_at=timezone.now().replace(year=2024),
                   audited_at=timezone.now()) for aid, pid in leads.values_list("id", "proposal_id")),
            batch_size=5000)
        Evaluation.objects.bulk_create(
            (Evaluation(proposal_id=pid, proposer_id=prid, attitude="satisfied", rated_by=author,
                        result=rng.choice(["satisfied", "basically_satisfied"]))
             for prid, pid in Proposer.objects.filter(proposal__state=State.CLOSED).values_list("id", "proposal_id")),
            batch_size=5000)
    print(f"{n} proposals loaded in {time.monotonic() - started:.1f} s ({db})")
    for _ in range(3):
        t = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            s = year_statistics(year=2024, committee=c)
        print(f"year_statistics: {time.monotonic() - t:.3f} s, {len(queries)} queries, "
              f"received {s['received']}, registered {s['registered']}, replied {s['replied']}")
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"   {q['time']} s  {q['sql'][:90]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
