"""How many of a committee's proposals are in each state, for the staff's home page and review queue.

Finished proposals (closed, not registered, merged, converted) are nine in ten of a committee's years and never
leave their state; counting them scans ~90,000 index entries at a million proposals, 30–90 ms on every staff
page. Their counts are kept in the cache under a version per committee, bumped on commit whenever one of its
proposals finishes (`move()`) or an import adds some; the open states, a few thousand entries of the
(committee, state) index, are counted live. The timeout bounds what a process's own memory cache can miss
(another process's bump when there is no shared REDIS_URL cache)."""

import time

from django.core.cache import cache
from django.db.models import Count, QuerySet

from jianyan.proposals.models import DECIDED_STATES, State

FINISHED_STATES = frozenset({State.CLOSED, *DECIDED_STATES})
FINISHED_CACHE_SECONDS = 60


def version_key(committee_id: int) -> str:
    return f"jianyan:finished:{committee_id}"


def finished_version(committee_id: int) -> str:
    return str(cache.get_or_set(version_key(committee_id), time.time_ns, timeout=None))


def bump_finished(committee_id: int) -> None:
    """A proposal of this committee finished (or an import added finished ones): count them afresh."""
    cache.set(version_key(committee_id), time.time_ns(), timeout=None)


def count_by_state(qs: QuerySet) -> dict[str, int]:
    # COUNT(*), not COUNT(id): answered from the (committee, state) index without reading the rows.
    return dict(qs.order_by().values_list("state").annotate(n=Count("*")))


def committee_state_counts(committee_proposals: QuerySet, committee_id: int) -> dict[str, int]:
    """committee_proposals: what every staff member of the committee sees (the same rows for all of them)."""
    live = count_by_state(committee_proposals.filter(state__in=[s for s in State if s not in FINISHED_STATES]))
    key = f"{version_key(committee_id)}:{finished_version(committee_id)}"
    finished = cache.get_or_set(
        key, lambda: count_by_state(committee_proposals.filter(state__in=FINISHED_STATES)),
        timeout=FINISHED_CACHE_SECONDS)
    return {**live, **finished}
