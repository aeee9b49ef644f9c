"""Times `year_statistics` on a large year (default 100,000 proposals) in a scratch database.

    .venv/bin/python bench/stats_bench.py [N]                       # a scratch SQLite file
    .venv/bin/python bench/stats_bench.py [N] --pg postgres://postgres@127.0.0.1:5432/jy_stats_bench

With --pg the database is dropped and created again (it must be a scratch one). The baseline, measured in
the same run, is the naive way: one COUNT query per figure and per breakdown row (what a report usually
does), for the same figures of the year and its theme, proposer type and unit breakdowns.

The rows are bulk-inserted (not built through the workflow, which would take hours): registered and
closed proposals with a lead unit (a third with a co-handler), an approved reply, one or two proposers
each rating it, plus some not registered. The target is ≤ 1 s for `year_statistics`. The first report after
the bulk load computes the per-proposal facts (jianyan.reports.facts) of every proposal, as it would after
an import; later ones recompute only those of proposals whose version moved."""

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
PG = sys.argv[sys.argv.index("--pg") + 1] if "--pg" in sys.argv else ""
if PG:
    db = PG
    os.environ["DATABASE_URL"] = PG
else:
    db = Path(tempfile.mkdtemp()) / "stats-bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from _pgdb import recreate_pg_database  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from jianyan.handling.models import Assignment, Evaluation, Reply  # noqa: E402
from jianyan.people.models import (  # noqa: E402
    Committee,
    Organisation,
    Profile,
    Role,
    Sector,
    Session,
    Term,
    Unit,
)
from jianyan.people.setup import seed_reason_codes, seed_themes  # noqa: E402
from jianyan.proposals.models import Proposal, Proposer, State  # noqa: E402
from jianyan.reports.statistics import (  # noqa: E402
    METRICS,
    REGISTERED_Q,
    metric_q,
    result_class_q,
    unit_q,
    year_statistics,
)


def naive_statistics(committee, year: int) -> dict:
    """The baseline: one COUNT per figure, per theme, per proposer type and per unit and figure."""
    proposals = Proposal.objects.filter(committee=committee, session__year=year)
    out = {name: proposals.filter(metric_q(name)).count() for name in METRICS}
    out["classes"] = {c: proposals.filter(result_class_q(c)).count() for c in committee.result_class_codes}
    out["themes"] = {t.pk: proposals.filter(REGISTERED_Q, theme=t).count() for t in committee.themes.all()}
    out["types"] = {t: proposals.filter(REGISTERED_Q, proposer_type=t).count() for t in ("member", "joint", "party")}
    out["units"] = {u.pk: [proposals.filter(REGISTERED_Q & unit_q(u.pk)).count(),
                           proposals.filter(metric_q("replied") & unit_q(u.pk)).count(),
                           proposals.filter(metric_q("on_time") & unit_q(u.pk)).count()]
                    for u in committee.units.all()}
    return out


def touch_proposals(committee, k: int) -> None:
    """What k workflow transitions do to the facts: the proposals' versions move."""
    ids = list(Proposal.objects.filter(committee=committee).order_by("?").values_list("id", flat=True)[:k])
    Proposal.objects.filter(id__in=ids).update(version=F("version") + 1)


def timed(label: str, run) -> dict:
    t, cpu = time.monotonic(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = run()
    print(f"{label}: {time.monotonic() - t:.3f} s wall, {time.process_time() - cpu:.3f} s CPU of this process, "
          f"{len(queries)} queries")
    return {"result": result, "queries": queries}


def main(n: int) -> None:
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other processes: wall times grow with it; "
          f"the CPU time of this process does not count the database server); database: {connection.vendor}")
    if PG:
        connection.close()
        recreate_pg_database()
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
        sectors = [Sector.objects.create(committee=c, name=f"界别{i}") for i in range(30)]
        Profile.objects.bulk_create(Profile(user=u, committee=c, role=Role.MEMBER, display_name=u.username,
                                            sector=rng.choice(sectors)) for u in users)
        parties = [Organisation.objects.create(committee=c, name=f"党派{i}", kind=Organisation.Kind.PARTY)
                   for i in range(8)]
        reason = c.reason_codes.first()
        states = [State.CLOSED] * 90 + [State.NOT_REGISTERED, State.MERGED, State.CONVERTED, State.SUBMITTED,
                                        State.HANDLING, State.REPLIED]
        author = users[0]
        Proposal.objects.bulk_create(
            (Proposal(committee=c, session=session, created_by=author, title=f"关于第{i}件事的提案", number=i + 1,
                      state=(st := rng.choice(states)), theme=rng.choice(themes),
                      reject_reason=reason if st == State.NOT_REGISTERED else None,
                      proposer_type=(kind := rng.choice(["member", "member", "joint", "party"])),
                      organisation=rng.choice(parties) if kind == "party" else None)
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
        replied_at = dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)  # due 12 June: about 70 % in time
        leads = Assignment.objects.filter(mode="lead", proposal__state__in=[State.CLOSED, State.REPLIED])
        Reply.objects.bulk_create(
            (Reply(proposal_id=pid, assignment_id=aid, result_class=rng.choice("ABC"), proposed_class="A", body="答复",
                   signer="某", status="approved", written_by=author, written_at=replied_at + dt.timedelta(days=rng.randint(0, 60)),
                   audited_at=timezone.now()) for aid, pid in leads.values_list("id", "proposal_id")),
            batch_size=5000)
        Evaluation.objects.bulk_create(
            (Evaluation(proposal_id=pid, proposer_id=prid, attitude="satisfied", rated_by=author,
                        result=rng.choice(["satisfied", "basically_satisfied"]))
             for prid, pid in Proposer.objects.filter(proposal__state=State.CLOSED).values_list("id", "proposal_id")),
            batch_size=5000)
    print(f"{n} proposals loaded in {time.monotonic() - started:.1f} s ({db})")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    naive = timed("baseline (one COUNT per figure and row)", lambda: naive_statistics(c, 2024))["result"]
    print(f"load average now {os.getloadavg()[0]:.1f}")
    runs = [("first report after the bulk load (computes the facts of every proposal)", None)]
    runs += [("year_statistics, nothing changed", None)] * 3
    runs += [("after 1,000 proposals changed (their facts recomputed)", touch_proposals)]
    for label, before in runs:
        if before:
            before(c, 1000)
        run = timed(label, lambda: year_statistics(year=2024, committee=c))
        s = run["result"]
        print(f"   received {s['received']}, registered {s['registered']}, replied {s['replied']}, "
              f"on time {s['on_time']}, {sum(len(rows) for rows in s['breakdowns'].values())} breakdown rows, "
              f"{len(s['by_unit'])} units")
        for q in sorted(run["queries"].captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"   {q['time']} s  {q['sql'][:90]}")
    same = naive["overdue"] == s["overdue_proposals"] and all(
        naive[k] == s[k] for k in ("received", "registered", "replied", "on_time", "closed"))
    print("baseline and year_statistics agree" if same else "MISMATCH between baseline and year_statistics")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--pg" and a != PG]
    main(int(args[0]) if args else 100_000)
