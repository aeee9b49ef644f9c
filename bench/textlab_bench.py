"""Benchmark of textlab's similar-proposal index on a synthetic corpus, with naive baselines
measured in the same run.

    .venv/bin/python bench/textlab_bench.py                 # 100,000 proposals
    .venv/bin/python bench/textlab_bench.py --docs 20000    # quicker

The corpus is generated with a seeded RNG from the vocabulary of the real titles in
shared/data (per topic, so proposals of a topic share words), with bodies of 6-10 sentences,
plus planted near-duplicates (a copy with a word swapped, a sentence dropped and two sentences
reordered). Measured: index build time and rate, memory (resident set growth while building),
query latency of similar() for full proposals and for title-only typing queries, planted
duplicates found, theme and unit suggestion latency. Baselines (brute force over a sample of
the corpus, latency extrapolated linearly to the full size): character-bigram Jaccard, cosine
over the same feature vectors without an index, and difflib's ratio.
"""

from __future__ import annotations

import argparse
import difflib
import os
import platform
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jianyan.textlab import classify, similar  # noqa: E402
from jianyan.textlab.evaluate import load_records  # noqa: E402
from jianyan.textlab.features import vector  # noqa: E402
from jianyan.textlab.segment import tokens  # noqa: E402

DEFAULT_TITLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-titles-dev.jsonl"

PLACES = [
    "",
    "",
    "",
    "城区",
    "矿区",
    "郊区",
    "平定县",
    "盂县",
    "义井镇",
    "荫营镇",
    "河底镇",
    "娘子关镇",
    "开发区",
    "桃河沿岸",
    "南庄村",
    "大阳泉村",
    "北大街",
    "新华街",
    "赛鱼街道",
    "上社镇",
]
VERBS = ["加快", "推进", "加强", "完善", "规范", "优化", "提升", "解决", "建立", "推动", "做好", "强化"]
UNITS = [
    "市住建局",
    "市交通运输局",
    "市教育局",
    "市卫健委",
    "市民政局",
    "市公安局",
    "市农业农村局",
    "市水利局",
    "市文旅局",
    "市工信局",
    "市城管局",
    "市生态环境局",
]
SENTENCES = [
    "目前{p}{a}{b}方面存在{c}不足、{d}滞后等问题。",
    "据调查，全市共有{a}{n}处，其中{b}{m}处需要{v}{c}。",
    "群众反映{a}和{b}问题较为突出，{c}{d}有待加强。",
    "近年来{p}在{a}{b}上做了大量工作，但{c}仍是短板。",
    "造成这一问题的原因主要是{a}投入不足、{b}机制不健全、{c}责任不明确。",
    "建议由{u}牵头，{v}{a}{b}，{v2}{c}长效机制。",
    "设立{a}专项资金，每年安排{n}万元用于{b}{c}。",
    "将{a}{b}纳入年度重点工作，定期开展{c}督查。",
    "学习借鉴外地{a}经验，探索{b}{c}新模式。",
    "加强{a}宣传引导，鼓励社会力量参与{b}{c}。",
]


# ---- the corpus ------------------------------------------------------------------------------------


class Corpus:
    """Synthetic proposals drawn from per-topic vocabularies of real titles."""

    def __init__(self, titles_path: Path, seed: int) -> None:
        records = load_records(titles_path)
        self.rng = random.Random(seed)
        topics: dict[str, list[str]] = {}
        for r in records:
            topics.setdefault(r["topic_id"], []).extend(tokens(r["title"]))
        self.topics = [sorted(set(ws)) for ws in topics.values() if len(set(ws)) >= 3]
        self.vocabulary = sorted({w for ws in self.topics for w in ws})

    def _word(self, topic: list[str]) -> str:
        return self.rng.choice(topic if self.rng.random() < 0.75 else self.vocabulary)

    def proposal(self) -> tuple[str, list[str]]:
        """(title, body sentences)."""
        rng, topic = self.rng, self.rng.choice(self.topics)
        core = "".join(self._word(topic) for _ in range(rng.randint(2, 3)))
        title = f"关于{rng.choice(VERBS)}{rng.choice(PLACES)}{core}的{rng.choice(['提案', '建议'])}"
        body = []
        for _ in range(rng.randint(6, 10)):
            template = rng.choice(SENTENCES)
            body.append(
                template.format(
                    p=rng.choice(PLACES),
                    a=self._word(topic),
                    b=self._word(topic),
                    c=self._word(topic),
                    d=self._word(topic),
                    v=rng.choice(VERBS),
                    v2=rng.choice(VERBS),
                    u=rng.choice(UNITS),
                    n=rng.randint(2, 500),
                    m=rng.randint(1, 50),
                )
            )
        return title, body

    def near_duplicate(self, title: str, body: list[str]) -> tuple[str, list[str]]:
        """The same proposal rewritten a little: a title word swapped, a sentence dropped, two swapped."""
        rng = self.rng
        words = tokens(title)
        if words:
            old = rng.choice(words)
            title = title.replace(old, rng.choice(self.vocabulary), 1)
        body = list(body)
        if len(body) > 3:
            body.pop(rng.randrange(len(body)))
            i, j = rng.sample(range(len(body)), 2)
            body[i], body[j] = body[j], body[i]
        return title, body


# ---- measuring ----------------------------------------------------------------------------------------


def rss_mb() -> float:
    """Resident set size now, in MB (Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latencies_ms(fn: Callable[[object], object], inputs: list) -> list[float]:
    out = []
    for x in inputs:
        start = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def bigram_set(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="proposals in the index (default 100000)")
    parser.add_argument("--duplicates", type=int, default=500, help="planted near-duplicates (default 500)")
    parser.add_argument("--queries", type=int, default=300, help="latency queries of each kind (default 300)")
    parser.add_argument(
        "--sample", type=int, default=5000, help="corpus sample for the baselines (default 5000)"
    )
    parser.add_argument("--titles", type=Path, default=DEFAULT_TITLES, help="real titles (JSON Lines)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes preparing texts while the index is built (default: the core count)")
    parser.add_argument("--one-by-one", type=int, default=2000,
                        help="proposals also indexed one at a time, as the web processes do (default 2000)")
    args = parser.parse_args(argv)

    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    print(
        f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}; all timings on one core"
    )
    corpus = Corpus(args.titles, args.seed)
    t0 = time.perf_counter()
    originals = [corpus.proposal() for _ in range(args.docs - args.duplicates)]
    planted = {}
    for k, i in enumerate(corpus.rng.sample(range(len(originals)), args.duplicates)):
        planted[f"dup{k}"] = (i, corpus.near_duplicate(*originals[i]))
    docs = [(i, t, "".join(b)) for i, (t, b) in enumerate(originals)]
    docs += [(dup_id, t, "".join(b)) for dup_id, (_, (t, b)) in planted.items()]
    fresh = [corpus.proposal() for _ in range(args.queries)]
    avg_chars = sum(len(t) + len(b) for _, t, b in docs) / len(docs)
    print(
        f"corpus: {len(docs):,} synthetic proposals ({len(corpus.topics)} topic vocabularies, "
        f"{len(corpus.vocabulary)} words), {avg_chars:.0f} characters on average, "
        f"{args.duplicates} planted near-duplicates; generated in {time.perf_counter() - t0:.1f} s"
    )

    # -- textlab: build
    rss_before = rss_mb()
    index = similar.SimilarityIndex()
    t0, cpu0 = time.perf_counter(), time.process_time()
    index.build(docs, workers=args.workers)
    build_s, build_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
    index_mb = rss_mb() - rss_before
    single = similar.SimilarityIndex()
    t0 = time.perf_counter()
    for doc_id, title, body in docs[: args.one_by_one]:
        single.add(doc_id, title, body)
    single_rate = min(args.one_by_one, len(docs)) / (time.perf_counter() - t0)
    del single

    # -- textlab: queries
    full_queries = [(t, "".join(b)) for t, b in fresh]
    typing_queries = [t[: max(6, len(t) * 2 // 3)] for t, _ in fresh]
    full_ms = latencies_ms(lambda q: index.query(q[0], q[1], top=10), full_queries)
    typing_ms = latencies_ms(lambda q: index.query(q, top=10), typing_queries)
    dup_items = list(planted.items())
    found1 = found10 = 0
    dup_ms = []
    for dup_id, (orig, (title, body)) in dup_items:
        start = time.perf_counter()
        hits = [m.id for m in index.query(title, "".join(body), top=10, exclude={dup_id})]
        dup_ms.append((time.perf_counter() - start) * 1000)
        found1 += bool(hits) and hits[0] == orig
        found10 += orig in hits

    # -- suggestions
    themes, units = classify.theme_suggester(), classify.unit_suggester()
    suggest_ms = latencies_ms(
        lambda q: (themes.suggest(q[0] + q[1]), units.suggest(q[0] + q[1])), full_queries[:100]
    )

    # -- baselines on a sample that holds the originals of the planted duplicates
    rng = random.Random(args.seed + 1)
    in_sample = {orig for _, (orig, _) in dup_items[:50]}
    others = [i for i in range(len(originals)) if i not in in_sample]
    sample_ids = sorted(in_sample) + rng.sample(others, args.sample - len(in_sample))
    sample = [(i, originals[i][0] + "".join(originals[i][1])) for i in sample_ids]
    scale = len(docs) / len(sample)
    baseline_queries = [(orig, title + "".join(body)) for _, (orig, (title, body)) in dup_items[:50]]

    def brute(score: Callable[[str, str], float], prepared: list, n: int) -> tuple[list[float], int]:
        times, found = [], 0
        for orig, text in baseline_queries[:n]:
            start = time.perf_counter()
            q = score.prepare(text) if hasattr(score, "prepare") else text
            best = sorted(((score(q, d), i) for i, d in prepared), reverse=True)[:10]
            times.append((time.perf_counter() - start) * 1000 * scale)
            found += orig in [i for _, i in best]
        return times, found

    t0 = time.perf_counter()
    bigram_docs = [(i, bigram_set(t)) for i, t in sample]
    bigram_prep_s = (time.perf_counter() - t0) * scale

    def bigram_score(q: set[str], d: set[str]) -> float:
        return len(q & d) / len(q | d)

    bigram_score.prepare = bigram_set  # type: ignore[attr-defined]
    bigram_ms, bigram_found = brute(bigram_score, bigram_docs, 50)

    t0 = time.perf_counter()
    vector_docs = [(i, vector(t)) for i, t in sample]
    vector_prep_s = (time.perf_counter() - t0) * scale

    def cosine_score(q: dict, d: dict) -> float:
        return sum(w * d.get(k, 0.0) for k, w in q.items())

    cosine_score.prepare = vector  # type: ignore[attr-defined]
    cosine_ms, cosine_found = brute(cosine_score, vector_docs, 50)

    def difflib_score(q: str, d: str) -> float:
        return difflib.SequenceMatcher(None, q, d, autojunk=False).ratio()

    difflib_ms, difflib_found = brute(difflib_score, sample, 3)

    # -- the table
    n = len(docs)
    rows = [
        (
            "method",
            "build s wall/cpu",
            "docs/s wall/cpu",
            "memory MB",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "dup@1",
            "dup@10",
        ),
        (
            f"textlab index, full proposal ({n:,}; built on {args.workers} processes)",
            f"{build_s:.1f} / {build_cpu_s:.1f}",
            f"{n / build_s:,.0f} / {n / build_cpu_s:,.0f}",
            f"{index_mb:,.0f}",
            f"{pct(full_ms, 50):.2f}",
            f"{pct(full_ms, 95):.2f}",
            f"{pct(full_ms, 99):.2f}",
            f"{found1 / len(dup_items):.3f}",
            f"{found10 / len(dup_items):.3f}",
        ),
        (
            "textlab index, title typed so far",
            "",
            "",
            "",
            f"{pct(typing_ms, 50):.2f}",
            f"{pct(typing_ms, 95):.2f}",
            f"{pct(typing_ms, 99):.2f}",
            "",
            "",
        ),
        (
            "textlab index, planted duplicates",
            "",
            "",
            "",
            f"{pct(dup_ms, 50):.2f}",
            f"{pct(dup_ms, 95):.2f}",
            f"{pct(dup_ms, 99):.2f}",
            "",
            "",
        ),
        (
            "theme + unit suggestion (cold start)",
            "",
            "",
            "",
            f"{pct(suggest_ms, 50):.2f}",
            f"{pct(suggest_ms, 95):.2f}",
            f"{pct(suggest_ms, 99):.2f}",
            "",
            "",
        ),
        (
            f"baseline bigram Jaccard, brute force ×{scale:.0f}",
            f"{bigram_prep_s:.1f}",
            "",
            "",
            f"{pct(bigram_ms, 50):.0f}",
            f"{pct(bigram_ms, 95):.0f}",
            "",
            "",
            f"{bigram_found / 50:.3f}",
        ),
        (
            f"baseline cosine, same vectors, no index ×{scale:.0f}",
            f"{vector_prep_s:.1f}",
            "",
            "",
            f"{pct(cosine_ms, 50):.0f}",
            f"{pct(cosine_ms, 95):.0f}",
            "",
            "",
            f"{cosine_found / 50:.3f}",
        ),
        (
            f"baseline difflib ratio, brute force ×{scale:.0f}",
            "-",
            "",
            "",
            f"{pct(difflib_ms, 50):.0f}",
            f"{max(difflib_ms):.0f}",
            "",
            "",
            f"{difflib_found / 3:.3f}",
        ),
    ]
    widths = [max(_width(r[c]) for r in rows) for c in range(len(rows[0]))]
    print()
    for k, row in enumerate(rows):
        cells = [_pad(row[0], widths[0])] + [
            _pad(x, w, right=True) for x, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print(
        f"indexing one proposal at a time (the web path, on one core): {single_rate:,.0f} proposals/s "
        f"over the first {min(args.one_by_one, n):,}; build: wall-clock rate on {args.workers} processes, and the "
        f"main process's own CPU rate (it adds the prepared rows to the index)"
    )
    print(
        f"queries: {len(full_ms)} full proposals and {len(typing_ms)} typed titles not in the index, "
        f"{len(dup_ms)} planted near-duplicates (found@k: the original among the best k); "
        f"baselines: {args.sample:,}-document sample holding 50 duplicate originals, latency ×{scale:.0f} "
        f"(linear in corpus size), found@10 within the sample; difflib on 3 queries."
    )
    print(
        f"load average at the end: {os.getloadavg()[0]:.2f} (other processes share the machine; latencies are wall-clock)"
    )
    print(
        f"memory: resident set growth while indexing; peak resident set of the run "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB."
    )
    return 0


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    space = " " * (width - _width(s))
    return space + s if right else s + space


if __name__ == "__main__":
    raise SystemExit(main())
