"""Duplicate clusters of a session: groups of proposals on the same issue, to merge (并案) before the
交办会. Built from the same index as the review page's candidates: every proposal of the session is
ranked against the session's others, pairs at or above the 并案 score (or sharing near-duplicate text)
are linked, and linked proposals form one cluster (union-find). Staff still decide each merge."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from jianyan.assist import index as ix
from jianyan.assist.services import DUPLICATE_SCORE, STATE_LABELS
from jianyan.proposals.models import REGISTERED_STATES, Proposal, Proposer, State

# Undecided and registered proposals: what can still be merged, and what can be merged into.
CLUSTER_STATES = [State.SUBMITTED, *REGISTERED_STATES]
NEAR_DUPLICATE_REASON = "疑似重复"  # textlab.similar's reason for a near-duplicate text
MAX_PROPOSALS = 3000  # a session larger than this is clustered on its first MAX_PROPOSALS by number


@dataclass
class Member:
    id: int
    title: str
    display_number: str | None
    state: str
    state_label: str
    cosigners: int
    can_merge: bool  # undecided: can be merged into the host


@dataclass
class Cluster:
    host: Member  # suggested host: a registered proposal if there is one, else the earliest submitted
    others: list[Member]
    score: float  # the strongest link in the cluster
    links: list[tuple[int, int, float]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return 1 + len(self.others)


class _Forest:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def session_rows(committee, session_id: int) -> list[tuple]:
    return list(Proposal.objects.filter(committee=committee, session_id=session_id, state__in=CLUSTER_STATES)
                .order_by("submitted_at", "pk")
                .values_list("pk", "title", "background", "suggestions", "number", "state")[:MAX_PROPOSALS])


def session_links(committee, rows: list[tuple], *, min_score: float) -> list[tuple[int, int, float]]:
    """Pairs (a, b, score) with a < b, ranked within the session only."""
    ids = [r[0] for r in rows]
    within = set(ids)
    links: dict[tuple[int, int], float] = {}
    for pk, title, background, suggestions, _, _ in rows:
        body = ix.proposal_body(background, suggestions)
        for m in ix.search(committee.pk, title, body, top=5, within=within, exclude=[pk], min_score=min_score / 2):
            near = m.score >= min_score or m.reason.startswith(NEAR_DUPLICATE_REASON)
            if near:
                key = (min(pk, m.id), max(pk, m.id))
                links[key] = max(links.get(key, 0.0), m.score)
    return [(a, b, s) for (a, b), s in links.items()]


def cosigner_counts(ids: list[int]) -> dict[int, int]:
    return dict(Proposer.objects.filter(proposal_id__in=ids).values("proposal_id").annotate(n=Count("id"))
                .values_list("proposal_id", "n"))


def duplicate_clusters(committee, session_id: int, *, min_score: float = DUPLICATE_SCORE) -> list[Cluster]:
    """The session's clusters of two or more proposals, the largest and strongest first."""
    rows = session_rows(committee, session_id)
    links = session_links(committee, rows, min_score=min_score)
    forest = _Forest()
    for a, b, _ in links:
        forest.union(a, b)
    groups: dict[int, list[int]] = {}
    for pk in {x for a, b, _ in links for x in (a, b)}:
        groups.setdefault(forest.find(pk), []).append(pk)
    by_id = {r[0]: r for r in rows}
    cosigners = cosigner_counts([pk for g in groups.values() for pk in g])
    order = {r[0]: i for i, r in enumerate(rows)}
    clusters = []
    for members in groups.values():
        people = sorted((member(committee, by_id[pk], cosigners.get(pk, 0)) for pk in members),
                        key=lambda m: (m.can_merge, order[m.id]))
        host, others = people[0], people[1:]
        inside = [link for link in links if link[0] in members]
        clusters.append(Cluster(host, others, max(s for _, _, s in inside), sorted(inside, key=lambda x: -x[2])))
    return sorted(clusters, key=lambda c: (-c.size, -c.score, c.host.id))


def member(committee, row: tuple, cosigners: int) -> Member:
    pk, title, _, _, number, state = row
    return Member(pk, title, committee.format_number(number) or None, state, STATE_LABELS.get(state, state),
                  cosigners, can_merge=state == State.SUBMITTED)
