"""A committee's theme and unit models, learned from its own history and cached per process.

Themes: one example per registered proposal (its stored vector, its theme); units: one per active lead
assignment (主办). The seeds (cold start) are the committee's own rows: a theme's name, description and
keywords, a unit's names and duties (职能). Where a theme or unit has the name of one textlab knows
(the usual municipal units and the Yangquan themes, textlab/data), textlab's general vocabulary for it
is added to the seed: on the development titles this lifts unit top-3 from 0.79 to 0.89 with the demo
history, and the committee's own description still counts.

The cache is checked against the database on every call, so a registration or assignment made in any
process is learned on the next call: a few cheap reads first (the latest audit event, the index's
version, the seeds' text); when they moved, the history's counts and latest changes (a version computed
from the data itself, which needs no hook in the registration and assignment code); when those moved,
the models are learned again from the stored vectors.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from functools import cache

from django.db.models import Count, Max, Sum

from jianyan.assist import index as ix
from jianyan.core.models import AuditEvent
from jianyan.handling.models import Assignment
from jianyan.people.models import Committee, Theme, Unit
from jianyan.proposals.models import REGISTERED_STATES, Proposal
from jianyan.textlab import classify
from jianyan.textlab.features import Vector, vector

SEED_WEIGHT = 8.0  # a seed counts as this many past proposals (tuned on the development titles: 4 -> 8)
FULL_CHECK_EVERY = 60.0  # seconds: the history aggregates are read at least this often


@dataclass(frozen=True)
class CommitteeModels:
    quick: tuple  # quick_state when last checked
    history: tuple  # history_state the models learned
    checked_at: float
    themes: classify.Suggester
    units: classify.UnitSuggester
    theme_ids: dict[str, int]  # label -> Theme id
    unit_ids: dict[str, int]  # label -> Unit id
    theme_examples: int
    unit_examples: int


_cache: dict[int, CommitteeModels] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


@cache
def _known_themes() -> dict[str, dict]:
    return {alias: t for t in classify._themes_data() for alias in [t["name"], *t.get("aliases", [])]}


@cache
def _known_units() -> dict[str, dict]:
    return {u["name"]: u for u in classify._units_data()}


def theme_seeds(committee: Committee) -> list[tuple[int, dict]]:
    """(id, theme dict for textlab) of the committee's themes, textlab's vocabulary added by name."""
    seeds = []
    for pk, name, description, keywords in Theme.objects.filter(committee=committee).values_list(
            "pk", "name", "description", "keywords"):
        known = _known_themes().get(name, {})
        seeds.append((pk, {"name": name, "description": description, "keywords": keywords,
                           "extra_keywords": known.get("extra_keywords", "")}))
    return seeds


def unit_seeds(committee: Committee) -> list[tuple[int, dict]]:
    """(id, unit dict for textlab) of the committee's active units, textlab's duties added by name."""
    seeds = []
    for pk, name, full_name, duties in Unit.objects.filter(committee=committee, is_active=True).values_list(
            "pk", "name", "full_name", "duties"):
        known = _known_units().get(name, {}).get("duties", "")
        seeds.append((pk, {"name": name, "full_name": full_name,
                           "duties": f"{duties} {known}" if known and known not in duties else duties}))
    return seeds


def _registered(committee: Committee):
    return Proposal.objects.filter(committee=committee, state__in=REGISTERED_STATES, theme__isnull=False)


def _leads(committee: Committee):
    return Assignment.objects.filter(proposal__committee=committee, mode=Assignment.Mode.LEAD, is_active=True,
                                     unit__is_active=True)


def history_state(committee: Committee) -> tuple:
    """What the models learned from: counts and latest changes of registrations and lead assignments
    (aggregates over the committee's proposals: tens of milliseconds on 20,000 of them)."""
    registered = _registered(committee).aggregate(n=Count("pk"), last=Max("decided_at"), themes=Sum("theme_id"))
    leads = _leads(committee).aggregate(n=Count("pk"), last=Max("pk"))
    return tuple(registered.values()) + tuple(leads.values())


def quick_state(committee: Committee, themes: list, units: list) -> tuple:
    """Cheap reads that move whenever the history may have: the latest audit event (every registration and
    assignment writes one), the index's token and version, and the seeds' text."""
    seeds = hashlib.sha1(repr((themes, units)).encode()).hexdigest()  # noqa: S324 - change detector
    latest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (*ix.current_version(committee.pk), latest, seeds)


def _vectors(rows: list[tuple[int, str]]) -> list[tuple[Vector, str]]:
    """(proposal id, label) -> (its stored vector, label); proposals not indexed yet are vectorised here."""
    stored = ix.stored_vectors({pk for pk, _ in rows})
    missing = {pk for pk, _ in rows if pk not in stored}
    if missing:
        for pk, title, background, suggestions in Proposal.objects.filter(pk__in=missing).values_list(
                "pk", "title", "background", "suggestions"):
            stored[pk] = vector(title, ix.proposal_body(background, suggestions))
    return [(stored[pk], label) for pk, label in rows]


def theme_history(committee: Committee) -> list[tuple[Vector, str]]:
    return _vectors(list(_registered(committee).order_by("pk").values_list("pk", "theme__name")))


def unit_history(committee: Committee) -> list[tuple[Vector, str]]:
    return _vectors(list(_leads(committee).order_by("pk").values_list("proposal_id", "unit__name")))


def theme_model(themes: list[dict], history: list[tuple[Vector, str]]) -> classify.Suggester:
    names = {t["name"] for t in themes}
    return classify.theme_suggester([(v, t) for v, t in history if t in names], themes, seed_weight=SEED_WEIGHT)


def unit_model(units: list[dict], history: list[tuple[Vector, str]]) -> classify.UnitSuggester:
    names = {u["name"] for u in units}
    return classify.unit_suggester([(v, u) for v, u in history if u in names], units, seed_weight=SEED_WEIGHT)


def committee_models(committee: Committee) -> CommitteeModels:
    """The committee's current models: cached while its history and seeds stay the same.

    Each call makes the cheap reads of `quick_state`; only when they moved (or every FULL_CHECK_EVERY
    seconds, for rows written behind the workflow's back) are the history aggregates read, and only when
    those moved are the models learned again."""
    themes, units = theme_seeds(committee), unit_seeds(committee)
    quick = quick_state(committee, themes, units)
    now = time.monotonic()
    with _lock:
        found = _cache.get(committee.pk)
    if found is not None and found.quick == quick and now - found.checked_at < FULL_CHECK_EVERY:
        return found
    history = history_state(committee)
    if found is not None and found.history == history and found.quick[-1] == quick[-1]:
        models = replace(found, quick=quick, checked_at=now)
    else:
        theme_examples, unit_examples = theme_history(committee), unit_history(committee)
        models = CommitteeModels(
            quick, history, now,
            theme_model([t for _, t in themes], theme_examples),
            unit_model([u for _, u in units], unit_examples),
            {t["name"]: pk for pk, t in themes},
            {u["name"]: pk for pk, u in units},
            len(theme_examples),
            len(unit_examples),
        )
    with _lock:
        _cache[committee.pk] = models
    return models
