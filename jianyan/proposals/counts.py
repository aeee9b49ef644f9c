"""How many of a committee's proposals are in each state, for the staff's home page and review queue.

Finished proposals (closed, not registered, merged, converted) are nine in ten of a committee's years and never
leave their state; counting them scans ~90,000 index entries at a million proposals, 30–90 ms on every staff
page. Their counts are kept in a versioned cache per committee (core.versioned_cache), bumped on commit
whenever one of its proposals finishes (`move()`) or an import adds some; the open states, a few thousand
entries of the (committee, state) index, are counted live."""

from django.db.models import Count, QuerySet

from jianyan.core.versioned_cache import VersionedCache
from jianyan.proposals.models import DECIDED_STATES, State

FINISHED_STATES = frozenset({State.CLOSED, *DECIDED_STATES})
FINISHED_COUNTS = VersionedCache("jianyan:finished", timeout=60)


def bump_finished(committee_id: int) -> None:
    """A proposal of this committee finished (or an import added finished ones): count them afresh."""
    FINISHED_COUNTS.bump(committee_id)


def count_by_state(qs: QuerySet) -> dict[str, int]:
    # COUNT(*), not COUNT(id): answered from the (committee, state) index without reading the rows.
    return dict(qs.order_by().values_list("state").annotate(n=Count("*")))


def committee_state_counts(committee_proposals: QuerySet, committee_id: int) -> dict[str, int]:
    """committee_proposals: what every staff member of the committee sees (the same rows for all of them)."""
    live = count_by_state(committee_proposals.filter(state__in=[s for s in State if s not in FINISHED_STATES]))
    finished = FINISHED_COUNTS.get_or_set(
        "counts", lambda: count_by_state(committee_proposals.filter(state__in=FINISHED_STATES)), scope=committee_id)
    return {**live, **finished}
