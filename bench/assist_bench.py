"""Similar-proposal queries through the application's database-backed path (jianyan.assist), with the
naive ways measured in the same run.

    .venv/bin/python bench/assist_bench.py                    # 20,000 proposals, scratch SQLite file
    .venv/bin/python bench/assist_bench.py --docs 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyan .venv/bin/python bench/assist_bench.py
        # PostgreSQL: a scratch database test_<name> is created on that server and dropped afterwards

Synthetic proposals (bench/textlab_bench.py's corpus: per-topic vocabulary of real titles, bodies of
6-10 sentences, planted near-duplicates) are bulk-inserted, then indexed by `index.reindex` (the rows
the workflow's hook writes). Measured: indexing rate; a process's cold load of the committee's index;
`services.similar_proposals` as the staff see it for typing queries (a title being typed), for whole
proposals, and for a member (their own proposals only); the first query after another process wrote a
proposal (the version-counter refresh); theme and unit suggestions; planted duplicates found. Baselines:
the listing's `title__icontains` scan (what a search box does without the index) and brute force
(every stored vector read from the database and compared, no cache). Target: a typing query well under
150 ms."""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
SCRATCH = None if POSTGRES else Path(tempfile.mkdtemp(prefix="assist-bench-"))
if SCRATCH:
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'assist-bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from jianyan.assist import index as ix  # noqa: E402
from jianyan.assist import learning, services  # noqa: E402
from jianyan.handling.models import Assignment  # noqa: E402
from jianyan.people.models import Committee, Profile, Role, Session, Term, Unit  # noqa: E402
from jianyan.people.setup import seed_themes  # noqa: E402
from jianyan.proposals.models import Proposal, Proposer  # noqa: E402
from jianyan.textlab import similar  # noqa: E402
from jianyan.textlab.classify import _units_data  # noqa: E402

spec = importlib.util.spec_from_file_location("textlab_bench", ROOT / "bench" / "textlab_bench.py")
textlab_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(textlab_bench)


class Samples(list):
    """Wall-clock milliseconds, with the process's CPU milliseconds alongside (``cpu``): on a shared
    machine the wall clock also counts the time other programs held the core."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def ms(samples: Samples) -> str:
    a = np.asarray(samples)
    text = (f"p50 {np.percentile(a, 50):7.1f} ms   p95 {np.percentile(a, 95):7.1f} ms   "
            f"max {a.max():7.1f} ms")
    if samples.cpu:
        text += f"   cpu p50 {np.percentile(samples.cpu, 50):6.1f} p95 {np.percentile(samples.cpu, 95):6.1f}"
    return text + f"   (n={len(a)})"


def timed(fn, inputs) -> Samples:
    out = Samples()
    for x in inputs:
        start, cpu = time.perf_counter(), time.process_time()
        fn(x)
        out.append((time.perf_counter() - start) * 1000)
        out.cpu.append((time.process_time() - cpu) * 1000)
    return out


def typing(title: str, rng: random.Random) -> str:
    """What a member has typed so far: the title without its frame, cut at 50-100 % of its length."""
    core = similar.strip_title_frame(title)
    return "关于" + core[: max(2, int(len(core) * rng.uniform(0.5, 1.0)))]


def build(n: int, duplicates: int, seed: int):
    corpus = textlab_bench.Corpus(textlab_bench.DEFAULT_TITLES, seed)
    rng = random.Random(seed)
    User = get_user_model()
    with transaction.atomic():
        c = Committee.objects.create(code="bench", name="基准政协", short_name="基准", place="某市")
        themes = seed_themes(c)
        units = [Unit.objects.create(committee=c, name=u["name"], duties=u["duties"]) for u in _units_data()]
        term = Term.objects.create(committee=c, number=1, start_year=2024)
        now = timezone.now()
        session = Session.objects.create(term=term, sitting=1, year=now.year, plenary_start=now.date(),
                                         plenary_end=now.date(), submission_deadline=now)
        staff = User.objects.create_user(username="bench_staff")
        Profile.objects.create(user=staff, committee=c, role=Role.STAFF, display_name="工作人员")
        member = User.objects.create_user(username="bench_member")
        Profile.objects.create(user=member, committee=c, role=Role.MEMBER, display_name="委员")
        texts = [corpus.proposal() for _ in range(n - duplicates)]
        planted = [(i, corpus.near_duplicate(*texts[i])) for i in rng.sample(range(len(texts)), duplicates)]
        rows = texts + [t for _, t in planted]
        states = ["closed"] * 6 + ["submitted", "registered", "handling", "draft"]
        Proposal.objects.bulk_create(
            (Proposal(committee=c, session=session, created_by=member if i % 1000 == 0 else staff, title=title[:200],
                      background="".join(body[:-2]), suggestions=body[-2:], state=rng.choice(states),
                      theme=rng.choice(themes), number=i + 1)
             for i, (title, body) in enumerate(rows)), batch_size=2000)
        ids = list(Proposal.objects.filter(committee=c).order_by("pk").values_list("pk", flat=True))
        Proposer.objects.bulk_create((Proposer(proposal_id=pk, user=member, role="first")
                                      for pk in ids[::1000]), batch_size=2000)
        Proposal.objects.filter(pk__in=ids[::1000]).update(state="submitted")  # the member's own
        Proposal.objects.filter(pk__in=[ids[len(texts) + k] for k in range(duplicates)]).update(state="submitted")
        Proposal.objects.filter(pk__in=[ids[i] for i, _ in planted]).update(state="closed")
        Assignment.objects.bulk_create(
            (Assignment(proposal_id=pk, unit=rng.choice(units), mode="lead", due_date=now.date())
             for pk in ids[: len(ids) // 2]), batch_size=2000)
    dup_pairs = [(ids[i], ids[len(texts) + k]) for k, (i, _) in enumerate(planted)]
    return c, staff, member, rows, ids, dup_pairs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="proposals (default 20000)")
    parser.add_argument("--duplicates", type=int, default=200, help="planted near-duplicates (default 200)")
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind (default 200)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    if POSTGRES:
        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
        test_name = connection.settings_dict["NAME"]
    try:
        run(args, test_name)
    finally:
        if POSTGRES:
            connection.creation.destroy_test_db(test_name, verbosity=0)
        else:
            connection.close()
            shutil.rmtree(SCRATCH, ignore_errors=True)
    return 0


def run(args, db_name) -> None:
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    print(f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {platform.machine()}, "
          f"Python {platform.python_version()}; database: {connection.vendor} ({db_name}); one process, one thread")
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    c, staff, member, rows, ids, dup_pairs = build(args.docs, args.duplicates, args.seed)
    print(f"\n{len(ids):,} proposals inserted in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    ix.reindex(c.pk, force=True)
    took = time.perf_counter() - t0
    bands = ix.ProposalBand.objects.filter(committee=c).count()
    print(f"indexed into the tables in {took:.1f} s: {len(ids) / took:,.0f} proposals/s ({bands:,} band rows)")

    ix.clear_cache()
    rss0 = textlab_bench.rss_mb()
    t0 = time.perf_counter()
    size = ix.ensure_current(c.pk)
    print(f"cold load of the committee's index by a new process: {time.perf_counter() - t0:.2f} s "
          f"({size:,} proposals, +{textlab_bench.rss_mb() - rss0:.0f} MB resident)")

    sample = rng.sample(range(len(rows)), args.queries)
    typed = [typing(rows[i][0], rng) for i in sample]
    whole = [(rows[i][0], "".join(rows[i][1])) for i in sample]

    print("\nsimilar_proposals through the database-backed path (staff: the whole committee but drafts)")
    staff_typing = timed(lambda q: services.similar_proposals(staff, title=q), typed)
    print(f"  typing query (title so far)       {ms(staff_typing)}")
    staff_whole = timed(lambda q: services.similar_proposals(staff, title=q[0], body=q[1]), whole)
    print(f"  whole proposal (title and body)   {ms(staff_whole)}")
    member_typing = timed(lambda q: services.similar_proposals(member, title=q), typed)
    print(f"  typing query, a member (own {Proposer.objects.filter(user=member).count()})     {ms(member_typing)}")

    fresh = Samples()
    extra = textlab_bench.Corpus(textlab_bench.DEFAULT_TITLES, args.seed + 1)
    for _ in range(20):
        title, body = extra.proposal()
        p = Proposal.objects.create(committee=c, session=Session.objects.get(term__committee=c), created_by=staff,
                                    title=title[:200], background="".join(body), state="submitted")
        ix.index_proposal(p)  # what another process's workflow hook does: rows and a version bump
        start, cpu = time.perf_counter(), time.process_time()
        found = services.similar_proposals(staff, title=title, body="".join(body))
        fresh.append((time.perf_counter() - start) * 1000)
        fresh.cpu.append((time.process_time() - cpu) * 1000)
        best = [f.id for f in found if f.score == found[0].score] if found else []
        assert p.pk in best, ("a proposal written by another process must be found", p.pk, found[:2])
    print(f"  first query after another process indexed a proposal   {ms(fresh)}")

    found = 0
    for original, dup in dup_pairs:
        title, body = rows[ids.index(dup)]
        hits = services.similar_proposals(staff, title=title, body="".join(body), top=10)
        found += original in {h.id for h in hits}
    print(f"  planted near-duplicates found in the top 10: {found}/{len(dup_pairs)}")

    print("\nbaselines in the same run")
    words = [max(textlab_bench.tokens(q) or [q[2:4]], key=len) for q in typed]
    icontains = timed(lambda w: list(Proposal.objects.filter(committee=c, title__icontains=w)
                                     .exclude(state="draft").order_by("-pk")[:10]), words)
    print(f"  title__icontains scan (one word, no ranking)           {ms(icontains)}")

    def brute(q: str):
        qv = similar.vector(q)
        stored = ix.ProposalIndex.objects.filter(committee=c).values_list("proposal_id", "features")
        scores = [(similar.cosine(qv, ix.unpack_vector(v)), pk) for pk, v in stored.iterator(chunk_size=2000)]
        return sorted(scores, reverse=True)[:10]

    brute_ms = timed(brute, typed[:10])
    print(f"  brute force (every stored vector, no cache)            {ms(brute_ms)}")

    learning.clear_cache()
    t0 = time.perf_counter()
    learning.committee_models(c)
    print(f"\nsuggestions: models learned from {len(ids) // 2:,} lead assignments in {time.perf_counter() - t0:.1f} s")
    suggest = timed(lambda q: services.suggest(c, q), typed[:100])
    print(f"  suggest (themes and units, cached models)    {ms(suggest)}")

    print(f"\ntarget: typing query p95 well under 150 ms -> {np.percentile(staff_typing, 95):.1f} ms; "
          f"speed-up over brute force x{statistics.median(brute_ms) / statistics.median(staff_typing):.0f}")


if __name__ == "__main__":
    raise SystemExit(main())
