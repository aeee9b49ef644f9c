import doctest
import math
import os
import subprocess
import sys

import pytest

from jianyan.textlab import similar
from jianyan.textlab.evaluate import baseline_rankings, char_bigrams, mates_by, ranking_metrics
from jianyan.textlab.similar import (
    BANDS,
    NUM_PERM,
    SimilarityIndex,
    band_hashes,
    cosine,
    estimated_jaccard,
    overlap,
    shingles,
    signature,
    vector,
)

BODY = "我市现有老旧小区412个，多为六层以下住宅，没有电梯，老年居民上下楼困难。建议设立加装电梯专项补助资金，简化审批。"


def near_duplicate(title: str) -> str:
    """A resubmission of the same proposal: other frame, one more adverb, one character changed."""
    core = similar.strip_title_frame(title)
    core = core[:-1] + ("快" if core[-1] != "快" else "好") if len(core) > 6 else core
    return f"关于进一步{core}的建议"


@pytest.fixture(scope="module")
def dev_index(dev_records):
    index = SimilarityIndex()
    for i, r in enumerate(dev_records):
        index.add(i, r["title"])
    return index


def test_signature_and_band_hashes_fit_database_columns():
    sig = signature("关于加快老旧小区加装电梯的提案")
    bands = band_hashes(sig)
    assert len(sig) == NUM_PERM and all(isinstance(v, int) and 0 <= v < 2**32 for v in sig)
    assert len(bands) == BANDS and all(isinstance(v, int) and 0 <= v < 2**63 for v in bands)


def in_subprocess(code: str, hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)  # noqa: S603
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_signatures_are_the_same_in_every_process():
    code = (
        "from jianyan.textlab.similar import signature, band_hashes\n"
        "s = signature('关于加快老旧小区加装电梯的提案')\n"
        "print(s[:5], band_hashes(s)[:3])"
    )
    runs = [in_subprocess(code, seed) for seed in ("1", "2")]
    sig = signature("关于加快老旧小区加装电梯的提案")
    assert runs[0] == runs[1] == f"{sig[:5]} {band_hashes(sig)[:3]}\n"


def test_estimated_jaccard_follows_the_true_jaccard():
    a = "我市老旧小区加装电梯工作推进缓慢，审批环节多，资金筹措难，居民意见难统一，管线迁改费用高。"
    for b in [
        a,
        a[:30] + "停车难问题突出，充电桩不足。",
        "农村饮水安全问题亟待解决，部分村组水源不稳定，水质不达标。",
    ]:
        sa, sb = shingles(a), shingles(b)
        true = len(sa & sb) / len(sa | sb)
        assert abs(estimated_jaccard(signature(a), signature(b)) - true) < 0.2


def test_vector_is_a_small_sparse_unit_vector():
    vec = vector("关于加快老旧小区加装电梯的提案", BODY)
    assert all(isinstance(k, int) and isinstance(w, float) for k, w in vec.items())
    assert 10 < len(vec) < 100
    assert math.isclose(sum(w * w for w in vec.values()), 1.0, rel_tol=1e-9)


def test_the_thesaurus_links_titles_that_share_no_characters():
    assert cosine(vector("关于在中心路口安装红绿灯的建议"), vector("关于增设交叉口信号灯的建议")) > 0.1
    assert cosine(vector("关于在中心路口安装红绿灯的建议"), vector("关于发展乡村旅游的建议")) == 0.0


def test_planted_near_duplicates_of_real_titles_come_first(dev_records, dev_index):
    titles = [r["title"] for r in dev_records if len(similar.strip_title_frame(r["title"])) >= 8]
    ids = {r["title"]: i for i, r in enumerate(dev_records)}
    first = [dev_index.query(near_duplicate(t), top=10)[0].id == ids[t] for t in titles]
    assert len(titles) > 150
    assert sum(first) / len(first) >= 0.95


def test_a_near_duplicate_is_reported_as_such():
    index = SimilarityIndex()
    index.add("a", "关于加快老旧小区加装电梯的提案", BODY)
    index.add("b", "关于发展乡村旅游的提案", "建议打造乡村旅游精品线路，发展民宿和农家乐。")
    match = index.query("关于加快老旧小区加装电梯的建议", BODY.replace("412", "413"))[0]
    assert match.id == "a" and match.score > 0.8
    assert match.reason.startswith("疑似重复")


def test_same_topic_titles_rank_above_unrelated_ones(dev_records, dev_index):
    rankings = {
        i: [m.id for m in dev_index.query(r["title"], top=10, exclude={i}, min_score=0)]
        for i, r in enumerate(dev_records)
    }
    ours = ranking_metrics(rankings, mates_by(dev_records, "topic_id"))
    bigram = ranking_metrics(baseline_rankings(dev_records, char_bigrams), mates_by(dev_records, "topic_id"))
    assert ours["queries"] == 199
    assert ours["recall@10"] >= 0.72  # measured 0.79
    assert ours["mrr"] >= 0.78  # measured 0.84
    assert ours["recall@10"] >= bigram["recall@10"] + 0.3  # the bigram baseline: 0.34


def test_results_are_best_first_with_scores_between_0_and_1(dev_records, dev_index):
    matches = dev_index.query("关于缓解中心城区停车难的建议", top=10)
    scores = [m.score for m in matches]
    assert len(matches) == 10
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 for s in scores)
    assert all("停车" in dev_records[m.id]["title"] for m in matches[:4])
    assert "停车" in matches[0].reason


def test_removed_proposals_are_not_found_and_readding_replaces():
    index = SimilarityIndex()
    index.add(1, "关于加快老旧小区加装电梯的提案")
    index.add(2, "关于推进老旧住宅增设电梯的建议")
    index.remove(1)
    index.remove(99)
    assert [m.id for m in index.query("关于老旧小区加装电梯的提案")] == [2]
    index.add(2, "关于发展乡村旅游的建议")
    assert len(index) == 1
    assert index.query("关于老旧小区加装电梯的提案") == []


def test_many_removals_compact_the_index(dev_records):
    index = SimilarityIndex()
    index.COMPACT_AFTER = 10
    for i, r in enumerate(dev_records):
        index.add(i, r["title"])
    for i in range(0, 150):
        index.remove(i)
    assert len(index) == 61 and len(index._ids) < 150
    fresh = SimilarityIndex()
    for i, r in enumerate(dev_records[150:], start=150):
        fresh.add(i, r["title"])
    for query in ("关于农村饮用水安全的建议", dev_records[200]["title"]):
        assert index.query(query) == fresh.query(query)


def test_the_docstring_example_holds():
    assert doctest.testmod(similar).failed == 0


def test_an_index_loaded_from_stored_rows_answers_like_the_original(dev_records, dev_index):
    loaded = SimilarityIndex()
    for i, r in enumerate(dev_records):
        loaded.add_prepared(i, vector(r["title"]), signature(similar.document_text(r["title"])))
    query = "关于农村饮用水安全的建议"
    assert loaded.query(query) == dev_index.query(query)


def test_an_index_loaded_in_bulk_answers_like_one_built_one_by_one(dev_records, dev_index):
    import numpy as np

    vectors = [vector(r["title"]) for r in dev_records]
    bulk = SimilarityIndex()
    half = len(dev_records) // 2
    for lo, hi in ((0, half), (half, len(dev_records))):  # two batches: the second meets known features
        bulk.add_many(
            list(range(lo, hi)),
            [np.fromiter(v.keys(), dtype=np.int64) for v in vectors[lo:hi]],
            [np.fromiter(v.values(), dtype=np.float32) for v in vectors[lo:hi]],
            np.asarray([signature(similar.document_text(r["title"])) for r in dev_records[lo:hi]]),
        )
    assert len(bulk) == len(dev_records)
    for query in ("关于农村饮用水安全的建议", dev_records[3]["title"], dev_records[150]["title"]):
        assert bulk.query(query) == dev_index.query(query)
    bulk.add_many([3], [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.float32)],
                  np.asarray([signature("")]))  # replaced by a proposal without text
    bulk.remove(150)
    assert 3 not in [m.id for m in bulk.query(dev_records[3]["title"])]
    assert 150 not in [m.id for m in bulk.query(dev_records[150]["title"])]
    bulk.compact()  # two proposals fewer: the IDF, so the scores, move a little; the order does not
    query = "关于农村饮用水安全的建议"
    assert [m.id for m in bulk.query(query, top=3)] == [m.id for m in dev_index.query(query, top=3)]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_index_built_in_batches_on_worker_processes_answers_like_one_built_one_by_one(dev_records, dev_index,
                                                                                         workers):
    built = SimilarityIndex()
    docs = [(i, r["title"], "") for i, r in enumerate(dev_records)]
    assert built.build(iter(docs), workers=workers, batch=97) == len(dev_records)
    assert len(built) == len(dev_index)
    for query in ("关于农村饮用水安全的建议", dev_records[3]["title"], dev_records[150]["title"]):
        assert [m.id for m in built.query(query)] == [m.id for m in dev_index.query(query)]
        assert built.query(query)[0].id == dev_index.query(query)[0].id


def test_texts_are_prepared_in_order_on_several_processes(dev_records):
    texts = [(r["title"], BODY if i % 3 else "") for i, r in enumerate(dev_records[:250])]
    alone = list(similar.prepare_many(texts, workers=1))
    shared = list(similar.prepare_many(iter(texts), workers=2, chunk=16))
    assert len(shared) == len(alone) == len(texts) > 100
    for (f1, w1, s1), (f2, w2, s2) in zip(alone, shared, strict=True):
        assert f1.tolist() == f2.tolist() and w1.tolist() == w2.tolist() and s1.tolist() == s2.tolist()


def test_exclude_leaves_the_proposal_itself_out(dev_records, dev_index):
    assert 0 not in [m.id for m in dev_index.query(dev_records[0]["title"], exclude={0})]


def test_within_ranks_only_the_given_proposals_even_far_down_the_list(dev_records, dev_index):
    query = dev_records[0]["title"]
    everything = dev_index.query(query, top=len(dev_records), min_score=0.0)
    far = everything[-1].id  # the least similar proposal the index finds at all
    assert [m.id for m in dev_index.query(query, within={far, 10_000})] in ([far], [])
    assert [m.id for m in dev_index.query(query, within=[0, far], exclude={0}, min_score=0.0)] == [far]
    assert dev_index.query(query, within=[]) == []


def test_include_scores_proposals_the_candidate_search_left_out():
    index = SimilarityIndex(candidates=1)
    index.add(1, "关于加快老旧小区加装电梯的提案")
    index.add(2, "关于推进老旧小区增设电梯的建议")
    index.add(3, "关于发展乡村旅游的建议")
    best = index.query("关于老旧小区加装电梯的提案", top=3)
    assert [m.id for m in best] == [1]  # one candidate from each search, both the same proposal
    widened = index.query("关于老旧小区加装电梯的提案", top=3, include=[2, 99])
    assert [m.id for m in widened] == [1, 2]


def test_overlap_returns_the_shared_passages_with_their_places():
    a = "我市老旧小区加装电梯推进缓慢。建议设立加装电梯专项补助资金，简化审批流程。"
    b = "建议设立加装电梯专项补助资金，并由市住建局牵头简化审批流程。"
    passages = overlap(a, b)
    assert passages[0].text == "建议设立加装电梯专项补助资金，"
    for p in passages:
        assert a[p.a_start : p.a_end] == p.text == b[p.b_start : p.b_end]
    assert "简化审批流程。" in [p.text for p in passages]
    assert overlap(a, "农村饮水安全") == []
