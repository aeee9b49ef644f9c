"""Times the public full-text search (jianyan.search) over 100,000 published proposals in a scratch database,
against a baseline measured in the same run: LIKE '%word%' over the publications' title and body (title
matches first), what one would write without an index.

    .venv/bin/python bench/search_bench.py [N]                      # a scratch SQLite file
    .venv/bin/python bench/search_bench.py [N] --pg postgres://postgres@127.0.0.1:5432/jy_search_bench
    .venv/bin/python bench/search_bench.py [N] --pg ... --ctype C   # a database where pg_trgm sees no Chinese
    .venv/bin/python bench/search_bench.py [N] --sqlite PATH        # keep the file; reuse it if already filled
    .venv/bin/python bench/search_bench.py [N] --pg ... --reuse     # reuse a filled scratch database

With --pg the database is dropped and created again (it must be a scratch one), with LC_CTYPE C.UTF-8 unless
--ctype says otherwise. Rows are bulk-inserted (not built through the workflow, which would take hours): the
texts are composed from the demo's topics (jianyan.demo.topics), so the words occur as often as in real
proposal work; each is indexed as the workflow would (jianyan.search.index_row).
Reported: p50 and p95 of `search_ids(word, limit=20)` (a page of an unfiltered search), `search_ids(word,
limit=1000)` (the ranked ids a search combined with filters starts from) and `count(word)` (capped at 1000, as
the pages show it) for 2-character words and longer ones, each query 30 times; the target is p95 ≤ 50 ms."""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
PG = sys.argv[sys.argv.index("--pg") + 1] if "--pg" in sys.argv else ""
CTYPE = sys.argv[sys.argv.index("--ctype") + 1] if "--ctype" in sys.argv else "C.UTF-8"
SQLITE = sys.argv[sys.argv.index("--sqlite") + 1] if "--sqlite" in sys.argv else ""
REUSE = "--reuse" in sys.argv or bool(SQLITE and Path(SQLITE).exists())
if PG:
    os.environ["DATABASE_URL"] = PG
else:
    path = Path(SQLITE) if SQLITE else Path(tempfile.mkdtemp()) / "search-bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path.resolve()}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from _pgdb import recreate_pg_database  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from jianyan import search  # noqa: E402
from jianyan.demo import topics as tp  # noqa: E402
from jianyan.disclosure.models import Publication  # noqa: E402
from jianyan.people.models import Committee, Session, Term  # noqa: E402
from jianyan.proposals.models import Proposal, State  # noqa: E402

SHORT_WORDS = ["养老", "公交", "电梯", "教育", "停车", "就业", "文旅", "医疗"]
LONG_WORDS = ["加装电梯", "养老服务", "公交优先", "老旧小区改造", "科技成果转化", "新能源汽车"]
RUNS = 30
BATCH = 5000


def compose(rng: random.Random) -> tuple[str, str, str]:
    """A title, a body and a reply in the style of the demo's proposals."""
    theme = rng.choice(list(tp.TOPICS))
    topic = rng.choice(tp.TOPICS[theme])
    title = f"关于{rng.choice(topic.cores)}，{rng.choice(tp.GOALS[theme])}的提案"
    body = "".join(rng.sample(topic.situation, min(len(topic.situation), 1)) +
                   rng.sample(topic.problems, min(len(topic.problems), 2)))
    body += f"据调查，涉及群众约{rng.randint(100, 90000)}人。\n\n具体建议：\n" + "\n".join(
        f"{i}. {s}" for i, s in enumerate(rng.sample(topic.suggestions, min(len(topic.suggestions), 3)), 1))
    return title, body, topic.done


def fill(n: int) -> None:
    rng = random.Random(2024)
    committee = Committee.objects.create(code="bench", name="基准政协", short_name="基准", place="基准市")
    term = Term.objects.create(committee=committee, number=1, start_year=2024)
    now = timezone.now()
    session = Session.objects.create(term=term, sitting=1, year=2025, plenary_start=now.date(),
                                     plenary_end=now.date(), submission_deadline=now)
    user = get_user_model().objects.create_user("bench")
    t0 = time.perf_counter()
    segmenting = 0.0
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        texts = [compose(rng) for _ in range(size)]
        with transaction.atomic():
            proposals = Proposal.objects.bulk_create(
                Proposal(committee=committee, session=session, created_by=user, title=t, background=b,
                         state=State.CLOSED, publish_consent=True) for t, b, _r in texts)
            pubs = Publication.objects.bulk_create(
                Publication(proposal=p, title=t, body=b, reply=r, result_class="A")
                for p, (t, b, r) in zip(proposals, texts, strict=True))
            s0 = time.perf_counter()
            rows = [search.index_row(p) for p in pubs]
            segmenting += time.perf_counter() - s0
            search.backend().insert_many(rows)
    print(f"  filled {n:,} publications in {time.perf_counter() - t0:.1f} s "
          f"(segmenting for the index: {segmenting:.1f} s)")


def already_filled(n: int) -> bool:
    try:
        return Publication.objects.count() == n
    except Exception:  # noqa: BLE001 - no table yet: not filled
        return False


def like_top(word: str) -> list[int]:
    """The baseline's page: LIKE over title, body and reply, title matches first, newest first."""
    pattern = f"%{word}%"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM disclosure_publication WHERE title LIKE %s OR body LIKE %s OR reply LIKE %s "
            "ORDER BY CASE WHEN title LIKE %s THEN 0 ELSE 1 END, id DESC LIMIT 20",
            [pattern, pattern, pattern, pattern])
        return [r[0] for r in cursor.fetchall()]


def like_count(word: str) -> int:
    pattern = f"%{word}%"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM disclosure_publication WHERE title LIKE %s OR body LIKE %s "
                       "OR reply LIKE %s", [pattern, pattern, pattern])
        return cursor.fetchone()[0]


def timings(fn, words: list[str]) -> list[float]:
    out = []
    for word in words:
        fn(word)  # warm-up
        for _ in range(RUNS):
            t0 = time.perf_counter()
            fn(word)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100)
    return f"p50 {statistics.median(ms):7.2f} ms   p95 {q[94]:7.2f} ms   max {max(ms):7.2f} ms"


def main() -> None:
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "100000"))
    label = f"PostgreSQL (LC_CTYPE {CTYPE})" if PG else "SQLite"
    print(f"search_bench on {label}, {n:,} published proposals")
    filled = REUSE and already_filled(n)
    if PG and not filled:
        recreate_pg_database(ctype=CTYPE)
    call_command("migrate", verbosity=0)
    if filled:
        print(f"  reusing the {n:,} publications already there")
    else:
        fill(n)
    if PG:
        # What autovacuum does after a bulk load: statistics, the visibility map, the GIN pending list.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE disclosure_search")
            cursor.execute("VACUUM ANALYZE disclosure_publication")
        from jianyan.search import postgres
        print(f"  pg_trgm index for 3+ characters: {'yes' if postgres.use_trigrams() else 'no (ctype hides Chinese)'}")
    print("  matches per word (index / LIKE):")
    for word in SHORT_WORDS + LONG_WORDS:
        print(f"    {word}: {search.count(word, cap=10**9):,} / {like_count(word):,}")
    for name, words in (("2-character words", SHORT_WORDS), ("longer words", LONG_WORDS)):
        print(f"  {name} ({len(words)} words × {RUNS} runs):")
        print(f"    search_ids(limit=20)   {summary(timings(lambda w: search.search_ids(w, limit=20), words))}")
        print(f"    search_ids(limit=1000) {summary(timings(lambda w: search.search_ids(w, limit=1000), words))}")
        print(f"    count (up to 1000)     {summary(timings(search.count, words))}")
        print(f"    baseline LIKE, top 20  {summary(timings(like_top, words))}")
        print(f"    baseline LIKE, count   {summary(timings(like_count, words))}")


if __name__ == "__main__":
    main()
