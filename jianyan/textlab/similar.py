"""Similar and duplicate proposals.

Two signals, both built from primitives that can live in database tables:

- Near-duplicates (并案 candidates): MinHash over character 3-gram shingles, ``signature(text)``
  (64 integers), and LSH banding, ``band_hashes(signature)`` (32 integers, band i at position i;
  two texts whose band i hashes are equal are candidates). Estimated Jaccard = share of equal
  signature positions.
- Same-topic ranking: cosine similarity of the sparse vectors of ``features.vector`` (words,
  character bigrams and thesaurus concepts, title weighted), with IDF from the index's own
  document frequencies applied at query time.

``SimilarityIndex`` keeps both in memory with numpy: an inverted index over feature columns for
the cosine (scored with one ``bincount``), a sorted table of band hashes for the LSH, and the
documents' features for an exact rerank of the best candidates. A database-backed index stores
the same rows: (document, feature, weight), (document, band, hash) and the signature.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import deque
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from jianyan.textlab.features import Vector, feature_id, hashed, named_features
from jianyan.textlab.features import vector as vector  # re-exported: the vector function of this index
from jianyan.textlab.segment import normalize

SHINGLE_SIZE = 3
NUM_PERM = 64
BANDS = 32
ROWS = NUM_PERM // BANDS
NEAR_DUPLICATE = 0.5  # estimated Jaccard from which a pair is reported as a near-duplicate

_MAX_HASH = np.uint64(0xFFFFFFFF)
_rng = np.random.default_rng(20241127)  # fixed: signatures are stored and must stay comparable
_PERM_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_PERM_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_BAND_SEED = _rng.integers(1, 2**63, size=BANDS, dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_ONE = np.uint64(1)

_NOT_TEXT = re.compile(r"[^\u4e00-\u9fffa-z0-9]+")
_TITLE_FRAME = re.compile(r"^(关于)|(的)?(提案|建议|议案)(案)?$")


# ---- MinHash and LSH primitives ------------------------------------------------------------------


def strip_title_frame(title: str) -> str:
    """关于……的提案 -> …… : the frame is shared by every title and says nothing about the issue."""
    return _TITLE_FRAME.sub("", normalize(title).strip())


def document_text(title: str, body: str = "") -> str:
    """The text a proposal's signature is taken from."""
    return strip_title_frame(title) + "\n" + (body or "")


def shingles(text: str) -> set[str]:
    """Character 3-grams of the text, punctuation and spaces removed."""
    chars = _NOT_TEXT.sub("", normalize(text))
    if len(chars) <= SHINGLE_SIZE:
        return {chars} if chars else set()
    return {chars[i : i + SHINGLE_SIZE] for i in range(len(chars) - SHINGLE_SIZE + 1)}


# numpy integer arrays wrap around on overflow without a warning: that is the arithmetic modulo 2**64 wanted here
_S21, _S27, _S29, _S30, _S31, _S32, _S42 = (np.uint64(n) for n in (21, 27, 29, 30, 31, 32, 42))
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the whole 64-bit word."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def shingle_ids(text: str) -> np.ndarray:
    """The character 3-grams of a text as 64-bit ids (three 21-bit code points packed), repeats kept."""
    chars = _NOT_TEXT.sub("", normalize(text))
    if not chars:
        return np.empty(0, dtype=np.uint64)
    cp = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cp) < SHINGLE_SIZE:
        cp = np.concatenate([cp, np.zeros(SHINGLE_SIZE - len(cp), dtype=np.uint64)])
    return (cp[:-2] << _S42) | (cp[1:-1] << _S21) | cp[2:]


def _signature_array(text: str) -> np.ndarray:
    ids = shingle_ids(text)  # repeats do not change a minimum: no need to deduplicate
    if not len(ids):
        return np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64)
    # multiply-shift hashing of the mixed ids: (a*x + b mod 2**64) >> 32, one (a, b) per permutation
    return ((np.outer(_mix(ids), _PERM_A) + _PERM_B) >> _S32).min(axis=0)


def signature(text: str) -> list[int]:
    """The MinHash signature of a text: NUM_PERM unsigned 32-bit integers."""
    return [int(v) for v in _signature_array(text)]


def _band_keys(signatures: np.ndarray) -> np.ndarray:
    """Band hashes of signatures (n, NUM_PERM) -> (n, BANDS), non-negative 63-bit integers."""
    sigs = np.asarray(signatures, dtype=np.uint64).reshape(-1, BANDS, ROWS)
    h = _BAND_SEED
    for r in range(ROWS):
        h = (h ^ sigs[:, :, r]) * _MIX
        h ^= h >> _S29
    return (h >> _ONE).astype(np.int64)


def band_hashes(sig: Iterable[int]) -> list[int]:
    """The LSH band hashes of a signature: BANDS integers, band i at position i (fits a BIGINT)."""
    return [int(v) for v in _band_keys(np.fromiter(sig, dtype=np.uint64, count=NUM_PERM))[0]]


Prepared = tuple[np.ndarray, np.ndarray, np.ndarray]  # feature ids (int64), weights (float32), signature


def prepare(title: str, body: str = "") -> Prepared:
    """What the index holds of a proposal, computed from its text: the slow part of indexing."""
    vec = vector(title, body)
    return (np.fromiter(vec.keys(), dtype=np.int64, count=len(vec)),
            np.fromiter(vec.values(), dtype=np.float32, count=len(vec)),
            _signature_array(document_text(title, body)).astype(np.uint32))


def _prepare_chunk(docs: list[tuple[str, str]]) -> list[Prepared]:
    return [prepare(title, body) for title, body in docs]


def prepare_many(docs: Iterable[tuple[str, str]], *, workers: int = 1, chunk: int = 1000) -> Iterator[Prepared]:
    """`prepare` of each (title, body), in order, on ``workers`` processes. Segmentation is CPU-bound
    Python and holds the GIL, so processes rather than threads; they are spawned (not forked) so that a
    caller holding locks or connections hands nothing half-owned to a child."""
    if workers <= 1:
        for title, body in docs:
            yield prepare(title, body)
        return
    from concurrent.futures import ProcessPoolExecutor
    from itertools import islice
    from multiprocessing import get_context

    it = iter(docs)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        running: deque = deque()
        while True:
            while len(running) < workers * 3 and (part := list(islice(it, chunk))):
                running.append(pool.submit(_prepare_chunk, part))  # a bounded window: memory stays flat
            if not running:
                return
            yield from running.popleft().result()


def estimated_jaccard(a: Iterable[int], b: Iterable[int]) -> float:
    """Share of equal positions of two signatures: an estimate of the 3-gram Jaccard similarity."""
    a_, b_ = np.asarray(list(a), dtype=np.uint64), np.asarray(list(b), dtype=np.uint64)
    if (a_ == _MAX_HASH).all() or (b_ == _MAX_HASH).all():
        return 0.0
    return float((a_ == b_).mean())


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two sparse vectors (unit vectors from `vector` give their dot product)."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(k, 0.0) for k, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


# ---- shared passages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A passage two texts share: its text and its character span in each."""

    text: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int


def overlap(a: str, b: str, min_chars: int = 4) -> list[Passage]:
    """The passages of at least ``min_chars`` characters that text ``a`` shares with text ``b``,
    longest first, not overlapping in ``a`` (for highlighting 并案 candidates side by side)."""
    if len(a) < min_chars or len(b) < min_chars:
        return []
    seeds: dict[str, list[int]] = {}
    for j in range(len(b) - min_chars + 1):
        seeds.setdefault(b[j : j + min_chars], []).append(j)
    found: list[Passage] = []
    i = 0
    while i <= len(a) - min_chars:
        best: tuple[int, int] | None = None  # (length, start in b)
        for j in seeds.get(a[i : i + min_chars], ()):
            size = min_chars
            while i + size < len(a) and j + size < len(b) and a[i + size] == b[j + size]:
                size += 1
            if best is None or size > best[0]:
                best = (size, j)
        if best is None:
            i += 1
            continue
        size, j = best
        if a[i : i + size].strip():
            found.append(Passage(a[i : i + size], i, i + size, j, j + size))
        i += size
    return sorted(found, key=lambda p: (-(p.a_end - p.a_start), p.a_start))


# ---- the in-memory index ----------------------------------------------------------------------------


class Match(NamedTuple):
    id: Hashable
    score: float
    reason: str


class _Grow:
    """A numpy array that grows along its first axis by half its size: doubling would leave up to half of
    a million-proposal index's largest arrays allocated and unused."""

    def __init__(self, dtype: type | np.dtype, width: int | None = None, fill: float = 0) -> None:
        self.width, self.fill, self.size = width, fill, 0
        self.data = np.full((1024, width) if width else 1024, fill, dtype=dtype)

    def _reserve(self, size: int) -> None:
        if size > len(self.data):
            capacity = max(size, len(self.data) + len(self.data) // 2)
            bigger = np.full((capacity,) + self.data.shape[1:], self.fill, dtype=self.data.dtype)
            bigger[: self.size] = self.data[: self.size]
            self.data = bigger

    def append(self, value: object) -> int:
        self._reserve(self.size + 1)
        self.data[self.size] = value
        self.size += 1
        return self.size - 1

    def extend(self, values: np.ndarray) -> int:
        start = self.size
        self._reserve(start + len(values))
        self.data[start : start + len(values)] = values
        self.size += len(values)
        return start

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]


def _short(keys: np.ndarray) -> np.ndarray:
    """The top 32 bits of 63-bit band hashes. In memory a band table of a million proposals is 32 million
    rows: 4 bytes a key instead of 8 saves 128 MB, and a rare equal key of two different bands only adds
    a candidate that the rerank then scores for what it is."""
    return (np.asarray(keys, dtype=np.int64) >> 31).astype(np.uint32)


class _BandTable:
    """Band hashes -> slots: a sorted array (what a database index is) plus a small dict of recent rows."""

    MAX_BUCKET = 2000  # a band value this common says nothing; skip it

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.uint32)
        self.slots = np.empty(0, dtype=np.int32)
        self.pending: dict[int, list[int]] = {}
        self.pending_rows = 0

    def add(self, slot: int, keys: np.ndarray) -> None:
        for key in _short(keys).tolist():
            self.pending.setdefault(key, []).append(slot)
        self.pending_rows += len(keys)
        if self.pending_rows > max(50_000, len(self.keys) // 4):
            self.merge()

    def merge(self) -> None:
        if not self.pending:
            return
        new_keys = np.fromiter(
            (k for k, s in self.pending.items() for _ in s), dtype=np.uint32, count=self.pending_rows
        )
        new_slots = np.fromiter(
            (x for s in self.pending.values() for x in s), dtype=np.int32, count=self.pending_rows
        )
        self._insert(new_keys, new_slots)
        self.pending, self.pending_rows = {}, 0

    def add_many(self, slots: np.ndarray, keys: np.ndarray) -> None:
        """The band hashes (n, BANDS) of n slots at once: merged into the sorted arrays directly."""
        self.merge()
        self._insert(_short(keys.ravel()), np.repeat(slots.astype(np.int32), keys.shape[1]))

    def _insert(self, new_keys: np.ndarray, new_slots: np.ndarray) -> None:
        """Merge rows into the sorted arrays: sort the new rows only and place both sets by position.
        Sorting the whole table again would hold three copies of it at once (a million proposals: 32
        million rows) and cost a full sort for every batch."""
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_slots = new_keys[order], new_slots[order]
        total = len(self.keys) + len(new_keys)
        at = np.searchsorted(self.keys, new_keys, side="right") + np.arange(len(new_keys))
        old = np.ones(total, dtype=np.bool_)
        old[at] = False
        keys, slots = np.empty(total, dtype=np.uint32), np.empty(total, dtype=np.int32)
        keys[at], slots[at] = new_keys, new_slots
        keys[old], slots[old] = self.keys, self.slots
        self.keys, self.slots = keys, slots

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The slots in the buckets of the keys, once per shared key."""
        keys = _short(keys)
        left = np.searchsorted(self.keys, keys, side="left")
        right = np.searchsorted(self.keys, keys, side="right")
        parts = [
            self.slots[lo:hi]
            for lo, hi in zip(left.tolist(), right.tolist(), strict=True)
            if 0 < hi - lo <= self.MAX_BUCKET
        ]
        parts += [np.asarray(self.pending[k], dtype=np.int32) for k in keys.tolist() if k in self.pending]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)


class SimilarityIndex:
    """Proposals by id, queried for the most similar ones with a score in [0, 1] and a reason.

    Not synchronised: one writer at a time, and no queries while it writes (a web process builds
    its index at start-up and refreshes it under a lock, or keeps the index in the database).

    >>> index = SimilarityIndex()
    >>> index.add(1, "关于加快老旧小区加装电梯的提案")
    >>> index.query("关于推进老旧住宅增设电梯的建议")[0].id
    1
    """

    # Features in more documents than this add little to a ranking and much to its cost: they are left
    # out when gathering candidates (the rerank of the candidates still counts them).
    COMMON_DOCS = 1000
    COMMON_SHARE = 0.05
    COMMON_MAX = 20_000  # from 400,000 proposals on, a share would let one common word bring 5 % of them
    COMPACT_AFTER = 1000  # removed slots kept before a compaction is considered

    def __init__(self, *, candidates: int = 200) -> None:
        self.candidates = candidates
        self._ids: list[Hashable | None] = []
        self._slot: dict[Hashable, int] = {}
        self._alive = _Grow(np.bool_)
        self._sigs = _Grow(np.uint32, NUM_PERM)
        self._norms = _Grow(np.float32, fill=1.0)  # IDF-weighted norm when added
        self._feat_start = _Grow(np.int64)
        self._feat_len = _Grow(np.int32)
        self._feat_cols = _Grow(np.int32)
        # Weights of unit vectors in half precision (3 significant digits, enough for a ranking): half the
        # memory of the two largest arrays of an index, its features and its postings.
        self._feat_vals = _Grow(np.float16)
        self._col: dict[int, int] = {}  # feature id -> column
        self._df = _Grow(np.int32)
        self._post_slots: list[array] = []
        self._post_vals: list[array] = []
        self._bands = _BandTable()
        self._live = 0
        self._idf_cache: tuple[int, np.ndarray] | None = None
        self._version = 0

    def __len__(self) -> int:
        return self._live

    def __contains__(self, doc_id: Hashable) -> bool:
        return doc_id in self._slot

    # -- writing

    def add(self, doc_id: Hashable, title: str, body: str = "") -> None:
        """Index a proposal (again, if the id is already there)."""
        self.add_prepared(doc_id, vector(title, body), _signature_array(document_text(title, body)))

    def add_prepared(self, doc_id: Hashable, vec: Vector, sig: list[int] | np.ndarray) -> None:
        """Index a proposal from its stored vector and signature (loading from the database)."""
        if doc_id in self._slot:
            self.remove(doc_id)
        slot = len(self._ids)
        self._ids.append(doc_id)
        self._slot[doc_id] = slot
        self._live += 1
        self._version += 1
        column, post_slots, post_vals = self._col.get, self._post_slots, self._post_vals
        vals_arr = np.fromiter(vec.values(), dtype=np.float32, count=len(vec))
        half_bits = vals_arr.astype(np.float16).view(np.uint16).tolist()
        cols = []
        for feature, bits in zip(vec, half_bits, strict=True):
            col = column(feature)
            if col is None:
                col = self._new_column(feature)
            cols.append(col)
            post_slots[col].append(slot)
            post_vals[col].append(bits)
        cols_arr = np.asarray(cols, dtype=np.int32)
        df = self._df.data
        df[cols_arr] += 1
        weighted = vals_arr * (np.log((self._live + 1) / (df[cols_arr] + 1.0)) + 1.0)
        self._norms.append(math.sqrt(float(weighted @ weighted)) or 1.0)
        self._alive.append(True)
        self._feat_start.append(self._feat_cols.extend(cols_arr))
        self._feat_vals.extend(vals_arr)
        self._feat_len.append(len(cols))
        sig_arr = np.asarray(sig, dtype=np.uint64)
        self._sigs.append(sig_arr)
        if _has_text(sig_arr):
            self._bands.add(slot, _band_keys(sig_arr)[0])

    def add_many(
        self,
        doc_ids: Sequence[Hashable],
        features: Sequence[np.ndarray],
        weights: Sequence[np.ndarray],
        signatures: np.ndarray,
    ) -> None:
        """Index many proposals at once from their stored rows (loading an index from the database):
        ``features[i]`` and ``weights[i]`` are the feature ids and weights of ``doc_ids[i]``'s vector,
        ``signatures`` their signatures (n, NUM_PERM). Ids must not repeat within one call.

        Answers as `add_prepared` one by one would, except that the approximate norms used to gather
        candidates take the IDF of the whole batch (the exact rerank always uses the current IDF);
        about ten times faster, since the work is done in numpy over the whole batch."""
        n = len(doc_ids)
        if not n:
            return
        for doc_id in doc_ids:
            if doc_id in self._slot:
                self.remove(doc_id)
        lens = np.fromiter((len(f) for f in features), dtype=np.int64, count=n)
        all_f = np.concatenate([np.asarray(f, dtype=np.int64) for f in features]) if lens.sum() else np.empty(0, np.int64)
        all_w = np.concatenate([np.asarray(w, dtype=np.float32) for w in weights]) if lens.sum() else np.empty(0, np.float32)
        unique, inverse = np.unique(all_f, return_inverse=True)
        column_of = np.empty(len(unique), dtype=np.int64)
        column = self._col.get
        for k, feature in enumerate(unique.tolist()):
            col = column(feature)
            column_of[k] = self._new_column(feature) if col is None else col
        cols = column_of[inverse]
        first = len(self._ids)
        self._ids.extend(doc_ids)
        self._slot.update((doc_id, first + i) for i, doc_id in enumerate(doc_ids))
        self._live += n
        self._version += 1
        self._df.data[: len(self._df.view)] += np.bincount(cols, minlength=len(self._df.view)).astype(np.int32)
        owner = np.repeat(np.arange(n), lens)
        weighted = all_w * (np.log((self._live + 1) / (self._df.data[cols] + 1.0)) + 1.0)
        norms = np.sqrt(np.bincount(owner, weights=weighted.astype(np.float64) ** 2, minlength=n))
        self._norms.extend(np.where(norms > 0, norms, 1.0).astype(np.float32))
        self._alive.extend(np.ones(n, dtype=np.bool_))
        start = self._feat_cols.extend(cols.astype(np.int32))
        self._feat_vals.extend(all_w)
        self._feat_start.extend(start + np.concatenate([[0], np.cumsum(lens)[:-1]]))
        self._feat_len.extend(lens.astype(np.int32))
        sigs = np.asarray(signatures, dtype=np.uint64).reshape(n, NUM_PERM)
        self._sigs.extend(sigs.astype(np.uint32))
        order = np.argsort(cols, kind="stable")  # slots stay in order within each posting list
        sorted_cols = cols[order]
        cuts = np.flatnonzero(np.diff(sorted_cols)) + 1
        slot_parts = np.split((owner + first).astype(np.int32)[order], cuts)
        val_parts = np.split(all_w[order], cuts)
        for col, slots_, vals_ in zip(sorted_cols[np.r_[0, cuts]].tolist() if len(order) else [], slot_parts,
                                      val_parts, strict=False):
            self._post_slots[col].frombytes(slots_.tobytes())
            self._post_vals[col].frombytes(vals_.astype(np.float16).tobytes())
        has_text = ~(sigs == _MAX_HASH).all(axis=1)
        if has_text.any():
            self._bands.add_many(np.flatnonzero(has_text) + first, _band_keys(sigs[has_text]))

    def build(self, docs: Iterable[tuple[Hashable, str, str]], *, workers: int = 1, batch: int = 20_000) -> int:
        """Index many (id, title, body) at once: texts prepared on ``workers`` processes, added with
        `add_many` a batch at a time. The number indexed."""
        waiting: deque[Hashable] = deque()  # ids of the texts handed out, in order

        def texts() -> Iterator[tuple[str, str]]:
            for doc_id, title, body in docs:
                waiting.append(doc_id)
                yield title, body

        ids: list[Hashable] = []
        prepared: list[Prepared] = []
        total = 0
        for item in prepare_many(texts(), workers=workers):
            ids.append(waiting.popleft())
            prepared.append(item)
            if len(ids) == batch:
                total += self._add_prepared_batch(ids, prepared)
                ids, prepared = [], []
        total += self._add_prepared_batch(ids, prepared)
        del ids, prepared
        _release_free_memory()
        return total

    def _add_prepared_batch(self, ids: list[Hashable], prepared: list[Prepared]) -> int:
        if ids:
            self.add_many(ids, [p[0] for p in prepared], [p[1] for p in prepared],
                          np.stack([p[2] for p in prepared]))
        return len(ids)

    def remove(self, doc_id: Hashable) -> None:
        """Forget a proposal (withdrawn, merged away). Unknown ids are ignored."""
        slot = self._slot.pop(doc_id, None)
        if slot is None:
            return
        self._ids[slot] = None
        self._alive.data[slot] = False
        start, size = self._feat_start.data[slot], self._feat_len.data[slot]
        self._df.data[self._feat_cols.data[start : start + size]] -= 1
        self._live -= 1
        self._version += 1
        if len(self._ids) - self._live > max(self.COMPACT_AFTER, self._live):
            self.compact()

    def compact(self) -> None:
        """Rebuild the index without the slots of removed proposals (``remove`` calls it once they
        outnumber the live ones)."""
        features = list(self._col)  # in column order: columns are numbered as features arrive
        fresh = SimilarityIndex(candidates=self.candidates)
        for slot, doc_id in enumerate(self._ids):
            if doc_id is None:
                continue
            start, size = self._feat_start.data[slot], self._feat_len.data[slot]
            cols, vals = (
                self._feat_cols.data[start : start + size],
                self._feat_vals.data[start : start + size],
            )
            vec = {features[c]: float(v) for c, v in zip(cols.tolist(), vals.tolist(), strict=True)}
            fresh.add_prepared(doc_id, vec, self._sigs.data[slot])
        self.__dict__.update(fresh.__dict__)

    def _new_column(self, feature: int) -> int:
        col = self._col[feature] = self._df.append(0)
        self._post_slots.append(array("i"))
        self._post_vals.append(array("H"))  # float16 bits: the array module has no half-precision type
        return col

    def _idf(self) -> np.ndarray:
        if self._idf_cache is None or self._idf_cache[0] != self._version:
            df = self._df.view
            idf = (np.log((self._live + 1) / (df + 1)) + 1.0).astype(np.float32)
            self._idf_cache = (self._version, idf)
        return self._idf_cache[1]

    # -- reading

    def query(
        self,
        title: str,
        body: str = "",
        top: int = 10,
        *,
        exclude: Collection[Hashable] = (),
        min_score: float = 0.01,
        within: Collection[Hashable] | None = None,
        include: Collection[Hashable] = (),
    ) -> list[Match]:
        """The ``top`` most similar proposals, best first: (id, score in [0, 1], reason in Chinese).

        The score is the larger of the IDF-weighted cosine and the estimated 3-gram Jaccard.
        ``within``: rank exactly these proposals and no others (the few a user may see);
        ``include``: proposals to score besides the candidates the index finds (found elsewhere,
        e.g. by an LSH lookup in the database)."""
        if not self._live:
            return []
        names = named_features(title, body)
        sig = _signature_array(document_text(title, body))
        idf = self._idf()
        q_cols, q_vals, q_names = self._query_columns(hashed(names), names, idf)
        if within is not None:
            slots = self._slots_of(within)
        else:
            slots = np.union1d(self._cosine_candidates(q_cols, q_vals, idf), self._lsh_candidates(sig))
            if include:
                slots = np.union1d(slots, self._slots_of(include))
        slots = slots[self._alive.data[slots]]
        if exclude:
            skip = np.asarray([self._slot[d] for d in exclude if d in self._slot], dtype=np.int64)
            slots = slots[~np.isin(slots, skip)]
        if not len(slots):
            return []
        cos = self._exact_cosine(slots, q_cols, q_vals, idf)
        jac = (self._sigs.data[slots] == sig).mean(axis=1) if _has_text(sig) else np.zeros(len(slots))
        score = np.clip(np.maximum(cos, jac), 0.0, 1.0)
        order = [i for i in np.argsort(-score, kind="stable")[:top].tolist() if score[i] >= min_score]
        return [
            Match(
                self._ids[slots[i]],
                round(float(score[i]), 4),
                _reason(float(jac[i]), self._shared(int(slots[i]), q_cols, q_vals, idf), q_names),
            )
            for i in order
        ]

    def _slots_of(self, doc_ids: Collection[Hashable]) -> np.ndarray:
        slot = self._slot.get
        return np.unique(np.fromiter((s for d in doc_ids if (s := slot(d)) is not None), dtype=np.int64))

    def _query_columns(
        self, query_vec: Vector, names: dict[str, float], idf: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
        """Known query features as columns with IDF-weighted unit values; unknown ones only add to the norm."""
        by_id = {feature_id(n): n for n in names}
        cols, vals, col_names = [], [], {}
        norm_sq = 0.0
        max_idf = math.log(self._live + 1) + 1.0
        for feature, w in query_vec.items():
            col = self._col.get(feature)
            if col is None or self._df.data[col] == 0:
                norm_sq += (w * max_idf) ** 2
                continue
            wi = w * float(idf[col])
            norm_sq += wi * wi
            cols.append(col)
            vals.append(wi)
            col_names[col] = by_id.get(feature, "")
        norm = math.sqrt(norm_sq) or 1.0
        order = np.argsort(cols)
        return (
            np.asarray(cols, dtype=np.int64)[order],
            (np.asarray(vals, dtype=np.float32) / norm)[order],
            col_names,
        )

    def _cosine_candidates(self, q_cols: np.ndarray, q_vals: np.ndarray, idf: np.ndarray) -> np.ndarray:
        """Slots with the best approximate cosine (document norms as of their indexing)."""
        if not len(q_cols):
            return np.empty(0, dtype=np.int64)
        df = self._df.data[q_cols]
        common = max(self.COMMON_DOCS, min(self.COMMON_SHARE * self._live, self.COMMON_MAX))
        keep = (df <= common) | (df <= np.sort(df)[min(2, len(df) - 1)])  # the three rarest always count
        slot_parts, val_parts = [], []
        for col, qv in zip(q_cols[keep].tolist(), q_vals[keep].tolist(), strict=True):
            slot_parts.append(np.frombuffer(self._post_slots[col], dtype=np.int32))
            val_parts.append(np.frombuffer(self._post_vals[col], dtype=np.float16).astype(np.float32) * (qv * float(idf[col])))
        acc = np.bincount(np.concatenate(slot_parts), weights=np.concatenate(val_parts))
        # Only the slots the postings touched are scored further: one pass over the accumulator instead
        # of several over every slot of the index (a million of them at the largest sizes we plan for).
        touched = np.flatnonzero(acc)
        touched = touched[self._alive.data[touched]]
        scores = acc[touched] / self._norms.data[touched]
        return touched[_best(scores, self.candidates)]

    def _lsh_candidates(self, sig: np.ndarray) -> np.ndarray:
        """Slots sharing LSH bands with the signature, the ones sharing most bands first, at most ``candidates``."""
        if not _has_text(sig):
            return np.empty(0, dtype=np.int64)
        hits = self._bands.lookup(_band_keys(sig)[0])
        if not len(hits):
            return np.empty(0, dtype=np.int64)
        slots, shared = np.unique(hits, return_counts=True)  # a few thousand hits: no pass over every slot
        return slots[_best(shared.astype(np.float64), self.candidates)].astype(np.int64)

    def _exact_cosine(
        self, slots: np.ndarray, q_cols: np.ndarray, q_vals: np.ndarray, idf: np.ndarray
    ) -> np.ndarray:
        """Cosine of the query with each candidate under today's IDF."""
        starts, sizes = self._feat_start.data[slots], self._feat_len.data[slots].astype(np.int64)
        owner = np.repeat(np.arange(len(slots)), sizes)
        positions = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
        cols = self._feat_cols.data[positions]
        vals = self._feat_vals.data[positions].astype(np.float32) * idf[cols]
        norms = np.sqrt(np.bincount(owner, weights=vals.astype(np.float64) ** 2, minlength=len(slots)))
        dots = np.bincount(owner, weights=vals * _lookup(q_cols, q_vals, cols), minlength=len(slots))
        return np.divide(dots, norms, out=np.zeros(len(slots)), where=norms > 0)

    def _shared(self, slot: int, q_cols: np.ndarray, q_vals: np.ndarray, idf: np.ndarray) -> list[int]:
        """The columns a document shares with the query, the heaviest first."""
        start, size = self._feat_start.data[slot], self._feat_len.data[slot]
        cols = self._feat_cols.data[start : start + size]
        contrib = (self._feat_vals.data[start : start + size].astype(np.float32) * idf[cols]
                   * _lookup(q_cols, q_vals, cols))
        return [int(cols[i]) for i in np.argsort(-contrib) if contrib[i] > 0]


def _release_free_memory() -> None:
    """Hand the heap freed by a large build back to the operating system (glibc keeps it otherwise:
    the temporaries of the batches would stay in the process's resident set for its lifetime)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _has_text(sig: np.ndarray) -> bool:
    return not bool((sig == _MAX_HASH).all())


def _best(scores: np.ndarray, n: int) -> np.ndarray:
    """Indexes of the ``n`` highest positive scores (unordered)."""
    n = min(n, int(np.count_nonzero(scores > 0)))
    if n == 0:
        return np.empty(0, dtype=np.int64)
    return np.argpartition(-scores, n - 1)[:n].astype(np.int64)


def _lookup(sorted_keys: np.ndarray, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """values[k] for each key found in sorted_keys, 0 elsewhere."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=np.float32)
    where = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.where(sorted_keys[where] == keys, values[where], 0.0).astype(np.float32)


def _reason(jaccard: float, shared_cols: list[int], names: dict[int, str]) -> str:
    """Why a proposal was found, in Chinese."""
    if jaccard >= NEAR_DUPLICATE:
        return f"疑似重复：文字重合约 {round(jaccard * 100)}%"
    shared = [names.get(c, "") for c in shared_cols]
    words_ = [n[2:] for n in shared if n.startswith("w:")]
    concepts_ = [n[2:] for n in shared if n.startswith("c:") and n[2:] not in words_]
    parts = []
    if words_:
        parts.append("共同关键词：" + "、".join(dict.fromkeys(words_[:3])))
    if concepts_:
        parts.append("相关主题：" + "、".join(dict.fromkeys(concepts_[:2])))
    if not parts and any(n.startswith("b:") for n in shared):
        parts.append("用字相近：" + "、".join(n[2:] for n in shared if n.startswith("b:"))[:20])
    return "；".join(parts) or "文字相近"
