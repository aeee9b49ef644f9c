"""The similarity index of each committee: stored in the database, cached in each process.

Writing. The proposal workflow calls `index_after_commit(proposal)` when a proposal is created, edited
or submitted; once the transaction has committed, `index_proposal` recomputes the proposal's textlab
signature, LSH band hashes and vector if its text changed, and replaces its rows, bumping the
committee's `IndexVersion` in the same transaction. Proposals written behind the workflow's back
(imports, the admin, bulk loads) are caught up by `sync` — run on a process's first query for a
committee and then every `SYNC_EVERY` seconds — and `jianyan reindex-similar` rebuilds everything.

Reading. `search` answers from an in-memory `textlab.similar.SimilarityIndex` per committee, loaded
from the stored rows and refreshed from the rows newer than its version whenever the database's
version has moved on (one primary-key read per query), so every process answers from the same data.
`lsh_candidates` looks near-duplicates up in SQL by their band hashes, without any cache.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from jianyan.assist.models import IndexVersion, ProposalBand, ProposalIndex
from jianyan.proposals.models import Proposal
from jianyan.textlab import similar
from jianyan.textlab.features import Vector

logger = logging.getLogger("jianyan.assist")

BATCH = 500  # proposals written per transaction by a rebuild
SYNC_EVERY = 300.0  # seconds between two looks for proposals changed behind the workflow's back
LSH_LIMIT = 200  # near-duplicate candidates read from the band table, those sharing most bands first
_EMPTY = (1 << 32) - 1  # a signature of no text is NUM_PERM times this value

Progress = Callable[[int, int], None]


# ---- what is stored ------------------------------------------------------------------------------

def proposal_body(background: str, suggestions: Iterable[str] | None) -> str:
    """The body a proposal is indexed with: its situation analysis, then its suggestions, one per line."""
    return "\n".join([background or "", *(suggestions or [])]).strip()


def text_hash(title: str, body: str) -> str:
    return hashlib.sha1(f"{title}\x00{body}".encode()).hexdigest()  # noqa: S324 - a change detector, not security


@dataclass(frozen=True)
class Prepared:
    """A proposal's index rows, computed (the slow part) before the transaction that writes them."""

    proposal_id: int
    committee_id: int
    text_hash: str
    signature: list[int]
    vector: Vector
    bands: list[int]


def prepare(pk: int, committee_id: int, title: str, background: str, suggestions) -> Prepared:
    body = proposal_body(background, suggestions)
    sig = similar.signature(similar.document_text(title, body))
    bands = similar.band_hashes(sig) if any(v != _EMPTY for v in sig) else []
    return Prepared(pk, committee_id, text_hash(title, body), sig, similar.vector(title, body), bands)


def pack_signature(sig: Iterable[int]) -> bytes:
    return np.asarray(list(sig), dtype="<u4").tobytes()


def unpack_signature(blob) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def pack_vector(vec: Vector) -> bytes:
    ids = np.fromiter(vec.keys(), dtype="<u4", count=len(vec))
    weights = np.fromiter(vec.values(), dtype="<f4", count=len(vec))
    return ids.tobytes() + weights.tobytes()


def unpack_vector(blob) -> Vector:
    n = len(blob) // 8
    ids = np.frombuffer(blob, dtype="<u4", count=n)
    weights = np.frombuffer(blob, dtype="<f4", count=n, offset=4 * n)
    return dict(zip(ids.tolist(), weights.tolist(), strict=True))


# ---- writing -------------------------------------------------------------------------------------

def bump_version(committee_id: int) -> int:
    """+1 on the committee's index version, locking its row until the transaction ends: writers of one
    committee commit in version order, so a reader that sees version v also sees every row up to v."""
    if not IndexVersion.objects.filter(committee_id=committee_id).update(version=F("version") + 1):
        try:
            with transaction.atomic():
                IndexVersion.objects.create(committee_id=committee_id, version=1)
        except IntegrityError:  # created meanwhile by another process
            IndexVersion.objects.filter(committee_id=committee_id).update(version=F("version") + 1)
    return IndexVersion.objects.filter(committee_id=committee_id).values_list("version", flat=True).get()


def write(batch: list[Prepared], committee_id: int) -> int:
    """Replace the rows of these proposals (all of one committee) in one transaction; the new version."""
    with transaction.atomic():
        version = bump_version(committee_id)
        ids = [p.proposal_id for p in batch]
        ProposalBand.objects.filter(proposal_id__in=ids).delete()
        ProposalIndex.objects.filter(proposal_id__in=ids).delete()
        now = timezone.now()
        ProposalIndex.objects.bulk_create(
            ProposalIndex(proposal_id=p.proposal_id, committee_id=committee_id, version=version,
                          text_hash=p.text_hash, signature=pack_signature(p.signature),
                          features=pack_vector(p.vector), indexed_at=now)
            for p in batch
        )
        rows = [(p.proposal_id, committee_id, i, h) for p in batch for i, h in enumerate(p.bands)]
        if rows:
            with connection.cursor() as cursor:  # 32 rows a proposal: the ORM's objects would cost 10x the insert
                cursor.executemany(_INSERT_BANDS, rows)
    return version


def _insert_bands_sql() -> str:
    meta, quote = ProposalBand._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(f).column) for f in ("proposal", "committee", "band", "hash"))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)"  # noqa: S608 - names, no input


_INSERT_BANDS = _insert_bands_sql()


def index_proposal(proposal: Proposal | int) -> bool:
    """Index one proposal (again) if its text changed since; True if rows were written.

    Never raises: a failure is logged and left for `sync` or `reindex-similar` to repair, because
    indexing must not break the workflow step that triggered it."""
    pk = getattr(proposal, "pk", proposal)
    try:
        with transaction.atomic():
            row = (Proposal.objects.filter(pk=pk)
                   .values_list("committee_id", "title", "background", "suggestions").first())
            if row is None:
                return False
            committee_id, title, background, suggestions = row
            digest = text_hash(title, proposal_body(background, suggestions))
            if ProposalIndex.objects.filter(proposal_id=pk, text_hash=digest).update(indexed_at=timezone.now()):
                return False
            write([prepare(pk, committee_id, title, background, suggestions)], committee_id)
            return True
    except Exception as e:
        _failures[0] += 1
        # The first failure of a process with its traceback, the next ones in one line (an unmigrated database
        # would otherwise print a traceback per workflow step).
        logger.warning("indexing proposal %s for similar proposals failed: %r", pk, e, exc_info=_failures[0] == 1)
        return False


_failures = [0]  # how many proposals this process failed to index (the first is logged in full)


def index_after_commit(proposal: Proposal) -> None:
    """For the workflow: index the proposal once the current transaction has committed."""
    pk = proposal.pk
    transaction.on_commit(lambda: index_proposal(pk), robust=True)


def reindex(committee_id: int, *, pks: Collection[int] | None = None, force: bool = False,
            progress: Progress | None = None) -> int:
    """Index the committee's proposals (or only ``pks``) whose text changed or that have no rows yet;
    ``force``: all of them. Returns how many were written."""
    if pks is None:
        todo = list(Proposal.objects.filter(committee_id=committee_id).order_by("pk").values_list("pk", flat=True))
    else:
        todo = sorted(set(pks))
    written = 0
    for start in range(0, len(todo), BATCH):
        chunk = todo[start:start + BATCH]
        known = {} if force else dict(
            ProposalIndex.objects.filter(proposal_id__in=chunk).values_list("proposal_id", "text_hash"))
        batch, unchanged = [], []
        rows = (Proposal.objects.filter(committee_id=committee_id, pk__in=chunk)
                .values_list("pk", "title", "background", "suggestions"))
        for pk, title, background, suggestions in rows:
            if known.get(pk) == text_hash(title, proposal_body(background, suggestions)):
                unchanged.append(pk)
            else:
                batch.append(prepare(pk, committee_id, title, background, suggestions))
        if batch:
            write(batch, committee_id)
            written += len(batch)
        if unchanged:
            ProposalIndex.objects.filter(proposal_id__in=unchanged).update(indexed_at=timezone.now())
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    return written


def stale(committee_id: int) -> list[int]:
    """The committee's proposals without index rows, or saved since they were indexed (their text may
    have changed behind the workflow's back: an import, the admin; mostly it is a state change)."""
    return list(
        Proposal.objects.filter(committee_id=committee_id)
        .filter(Q(assist_index__isnull=True) | Q(updated_at__gt=F("assist_index__indexed_at")))
        .values_list("pk", flat=True)
    )


def sync(committee_id: int, progress: Progress | None = None) -> int:
    """Bring the committee's stored index up to date; how many proposals were (re)indexed. Proposals
    saved since their indexing are only re-read and hashed: a state change leaves the text as it was."""
    pending = stale(committee_id)
    if not pending:
        return 0
    missing = Proposal.objects.filter(committee_id=committee_id, assist_index__isnull=True).count()
    if missing > BATCH:
        logger.warning("building the similar-proposal index of committee %s lazily (%d proposals); "
                       "`jianyan reindex-similar` does it ahead of time", committee_id, missing)
    return reindex(committee_id, pks=pending, progress=progress)


# ---- reading -------------------------------------------------------------------------------------

@dataclass
class _Cached:
    token: str
    version: int
    index: similar.SimilarityIndex
    synced_at: float


_cache: dict[int, _Cached] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every in-memory index (tests; a process sees what another one would see at its start)."""
    with _cache_lock:
        _cache.clear()


def current_version(committee_id: int) -> tuple[str, int]:
    row = IndexVersion.objects.filter(committee_id=committee_id).values_list("token", "version").first()
    return row or ("", 0)


def _load_rows(index: similar.SimilarityIndex, rows) -> int:
    n = 0
    for pk, sig, features in rows:
        index.add_prepared(pk, unpack_vector(features), unpack_signature(sig))
        n += 1
    return n


def unpack_arrays(blob) -> tuple[np.ndarray, np.ndarray]:
    """A stored vector as (feature ids, weights) arrays, without building a dict."""
    n = len(blob) // 8
    return np.frombuffer(blob, dtype="<u4", count=n), np.frombuffer(blob, dtype="<f4", count=n, offset=4 * n)


def _load(committee_id: int, chunk: int = 5000) -> similar.SimilarityIndex:
    """The committee's whole index from its rows, added a few thousand at a time in bulk."""
    index = similar.SimilarityIndex()
    rows = (ProposalIndex.objects.filter(committee_id=committee_id).order_by("proposal_id")
            .values_list("proposal_id", "signature", "features"))
    ids, features, weights, sigs = [], [], [], []
    for pk, sig, blob in rows.iterator(chunk_size=2000):
        f, w = unpack_arrays(blob)
        ids.append(pk)
        features.append(f)
        weights.append(w)
        sigs.append(unpack_signature(sig))
        if len(ids) == chunk:
            index.add_many(ids, features, weights, np.vstack(sigs))
            ids, features, weights, sigs = [], [], [], []
    if ids:
        index.add_many(ids, features, weights, np.vstack(sigs))
    return index


def _current(committee_id: int, progress: Progress | None) -> _Cached:
    """The committee's cached index, brought up to the database's version. Call with the entry's lock."""
    with _cache_lock:
        entry = _cache.get(committee_id)
    now = time.monotonic()
    synced_at = entry.synced_at if entry else 0.0
    if entry is None or now - entry.synced_at > SYNC_EVERY:
        sync(committee_id, progress)
        synced_at = now
    token, version = current_version(committee_id)
    if entry is None or entry.token != token or version < entry.version:  # new, recreated, or restored
        entry = _Cached(token, version, _load(committee_id), synced_at)
    elif entry.version != version:
        newer = (ProposalIndex.objects.filter(committee_id=committee_id, version__gt=entry.version)
                 .values_list("proposal_id", "signature", "features"))
        _load_rows(entry.index, newer)
        if len(entry.index) != ProposalIndex.objects.filter(committee_id=committee_id).count():
            entry.index = _load(committee_id)  # proposals were deleted: start again
        entry.version = version
    entry.synced_at = synced_at
    with _cache_lock:
        _cache[committee_id] = entry
    return entry


_build_locks: dict[int, threading.Lock] = {}


def _lock_for(committee_id: int) -> threading.Lock:
    with _cache_lock:
        return _build_locks.setdefault(committee_id, threading.Lock())


def search(committee_id: int, title: str, body: str = "", *, top: int = 10, within: Collection[int] | None = None,
           include: Collection[int] = (), exclude: Collection[int] = (), min_score: float = 0.01,
           progress: Progress | None = None) -> list[similar.Match]:
    """The committee's proposals most similar to a text, from its current in-memory index
    (`SimilarityIndex.query`: ``within`` restricts, ``include`` adds candidates)."""
    with _lock_for(committee_id):
        entry = _current(committee_id, progress)
        return entry.index.query(title, body, top=top, within=within, include=include, exclude=exclude,
                                 min_score=min_score)


def ensure_current(committee_id: int, progress: Progress | None = None) -> int:
    """Load (or refresh) the committee's in-memory index now; its size."""
    with _lock_for(committee_id):
        return len(_current(committee_id, progress).index)


def lsh_candidates(committee_id: int, bands: list[int], *, exclude: Collection[int] = (),
                   limit: int = LSH_LIMIT) -> dict[int, int]:
    """Near-duplicate candidates from the band table: {proposal id: number of equal bands}, most first."""
    if not bands:
        return {}
    rows = (ProposalBand.objects.filter(committee_id=committee_id, hash__in=bands)
            .exclude(proposal_id__in=list(exclude))
            .values("proposal_id").annotate(n=Count("id")).order_by("-n", "proposal_id")[:limit])
    return {r["proposal_id"]: r["n"] for r in rows}


def _stored(pks: Collection[int], column: str):
    """(proposal id, column) of the stored rows of these proposals, a few thousand ids per query."""
    ids = list(pks)
    for start in range(0, len(ids), 5000):
        yield from ProposalIndex.objects.filter(proposal_id__in=ids[start:start + 5000]).values_list(
            "proposal_id", column)


def stored_vectors(pks: Collection[int]) -> dict[int, Vector]:
    return {pk: unpack_vector(v) for pk, v in _stored(pks, "features")}
