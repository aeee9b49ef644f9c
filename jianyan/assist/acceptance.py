"""Whether staff take text assistance's advice: what was suggested (logged when shown) against what was
decided (the proposal's theme, its first lead unit, its merge host).

Suggestions are never applied by themselves; a person confirms them. Measuring how often the first or
any of the three suggestions is the one chosen tells a committee whether the assistance is worth its
place on the page, and tells us when the models need retraining."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Min

from jianyan.assist.models import SuggestionLog
from jianyan.handling.models import Assignment
from jianyan.proposals.models import REGISTERED_STATES, Proposal, State

Kind = SuggestionLog.Kind

# A suggestion shown once the decision is taken says nothing about the decision: log only before it.
UNDECIDED = {
    Kind.THEME: {State.SUBMITTED},
    Kind.MERGE: {State.SUBMITTED},
    Kind.UNIT: {State.SUBMITTED, State.REGISTERED},
}


def log_shown(proposal: Proposal, kind: str, items: Iterable[tuple[int | None, float]]) -> None:
    """Record the suggestions (id, score) shown for a proposal still awaiting that decision."""
    if proposal.state not in UNDECIDED[kind]:
        return
    pairs = [(i, round(float(s), 4)) for i, s in items if i is not None]
    SuggestionLog.objects.update_or_create(
        proposal=proposal, kind=kind,
        defaults={"suggested": [i for i, _ in pairs], "scores": [s for _, s in pairs]},
    )


@dataclass(frozen=True)
class Acceptance:
    kind: str
    label: str
    decided: int  # proposals with logged suggestions whose decision has since been taken
    first: int  # ... where the first suggestion was chosen
    any: int  # ... where one of the suggestions was chosen

    @property
    def first_rate(self) -> float | None:
        return self.first / self.decided if self.decided else None

    @property
    def any_rate(self) -> float | None:
        return self.any / self.decided if self.decided else None


def chosen_themes(ids: list[int]) -> dict[int, int]:
    return dict(Proposal.objects.filter(pk__in=ids, state__in=REGISTERED_STATES, theme__isnull=False)
                .values_list("pk", "theme_id"))


def chosen_lead_units(ids: list[int]) -> dict[int, int]:
    """The unit of each proposal's first lead assignment (a later reassignment is not the first choice)."""
    firsts = (Assignment.objects.filter(proposal_id__in=ids, mode=Assignment.Mode.LEAD)
              .values("proposal_id").annotate(first=Min("pk")).values_list("first", flat=True))
    return dict(Assignment.objects.filter(pk__in=list(firsts)).values_list("proposal_id", "unit_id"))


def merge_decisions(ids: list[int]) -> dict[int, int | None]:
    """For proposals decided since: the host they were merged into, or None if they were not merged."""
    rows = Proposal.objects.filter(pk__in=ids).exclude(state__in=UNDECIDED[Kind.MERGE]).exclude(
        state__in=[State.DRAFT, State.COSIGNING, State.RETURNED]).values_list("pk", "merge_host_id")
    return dict(rows)


CHOSEN = {Kind.THEME: chosen_themes, Kind.UNIT: chosen_lead_units, Kind.MERGE: merge_decisions}


def acceptance(committee_id: int, *, session_id: int | None = None) -> list[Acceptance]:
    """Acceptance of each kind of suggestion in a committee (or one session of it): three queries a kind."""
    logs = SuggestionLog.objects.filter(proposal__committee_id=committee_id)
    if session_id:
        logs = logs.filter(proposal__session_id=session_id)
    out = []
    for kind in Kind:
        suggested = dict(logs.filter(kind=kind).values_list("proposal_id", "suggested"))
        chosen = CHOSEN[kind](list(suggested))
        decided = first = hits = 0
        for pid, choice in chosen.items():
            items = suggested[pid]
            if kind == Kind.MERGE and not items:
                continue  # nothing was suggested: not a decision about a suggestion
            decided += 1
            first += bool(items) and items[0] == choice
            hits += choice in items
        out.append(Acceptance(kind.value, kind.label, decided, first, hits))
    return out
