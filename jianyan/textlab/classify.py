"""Theme and handling-unit suggestions: a linear model over the features of `features.vector`.

`Suggester` is a multinomial naive Bayes over the hashed features, trained from (text, label)
pairs of a committee's history. Each label also has a seed text (a theme's description and
keywords, a unit's duties 职能) that counts as ``seed_weight`` examples, so the model suggests
sensibly from the first day (cold start) and history takes over as it grows. Thesaurus concepts
in the features let a seed word (养老) reach texts that say it otherwise (老年人).

Scores are posterior probabilities (they sum to 1 over the labels). Unit suggestions carry a
reason: how many similar past proposals that unit handled, else which duties match.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

from jianyan.textlab.features import Vector, hashed, named_features, vector
from jianyan.textlab.segment import DATA_DIR


class Suggestion(NamedTuple):
    label: str
    score: float
    reason: str


@dataclass
class _Example:
    vec: Vector
    label: str


@dataclass
class _Model:
    columns: dict[int, int]  # feature id -> column
    log_likelihood: (
        np.ndarray
    )  # labels x (columns + 1): log P(feature | label), the last column for unseen features
    log_prior: np.ndarray
    # the examples as a sparse matrix (row, column, weight), for finding similar past proposals
    example_rows: np.ndarray
    example_cols: np.ndarray
    example_vals: np.ndarray


class Suggester:
    """Suggests labels (themes, units) for a text; learns from examples and seed descriptions."""

    def __init__(
        self,
        *,
        alpha: float = 0.2,
        seed_weight: float = 4.0,
        neighbours: int = 30,
        similar_enough: float = 0.2,
    ) -> None:
        self.alpha = alpha
        self.seed_weight = seed_weight
        self.neighbours = neighbours
        self.similar_enough = similar_enough
        self.labels: list[str] = []
        self.seeds: dict[str, str] = {}
        self._seed_vecs: dict[str, Vector] = {}
        self._seed_terms: dict[str, dict[str, float]] = {}
        self._examples: list[_Example] = []
        self._model: _Model | None = None

    # -- teaching

    def add_label(self, label: str, seed_text: str = "") -> None:
        """A label that may be suggested, with the text that describes it (may be empty)."""
        if label not in self.seeds:
            self.labels.append(label)
        self.seeds[label] = seed_text
        self._seed_terms[label], self._seed_vecs[label] = _seed_features(seed_text)
        self._model = None

    def learn(self, text: str | Vector, label: str) -> None:
        """One past decision: this text was given this label. Unknown labels are added."""
        if label not in self.seeds:
            self.add_label(label)
        self._examples.append(_Example(text if isinstance(text, dict) else vector(text), label))
        self._model = None

    def fit(self, examples: Iterable[tuple[str | Vector, str]]) -> Suggester:
        for text, label in examples:
            self.learn(text, label)
        return self

    def history(self) -> Counter[str]:
        return Counter(e.label for e in self._examples)

    # -- the model

    def _fitted(self) -> _Model:
        if self._model is None:
            index = {lab: i for i, lab in enumerate(self.labels)}
            columns: dict[int, int] = {}
            mass = np.zeros(len(self.labels))
            weighted = [(e.vec, e.label, 1.0) for e in self._examples]
            weighted += [(v, lab, self.seed_weight) for lab, v in self._seed_vecs.items() if v]
            label_of, col_of, weight_of = [], [], []
            for vec, label, weight in weighted:
                mass[index[label]] += weight
                label_of.extend([index[label]] * len(vec))
                col_of.extend(columns.setdefault(f, len(columns)) for f in vec)
                weight_of.extend(w * weight for w in vec.values())
            width = len(columns) + 1
            labels_arr, cols_arr = np.asarray(label_of, dtype=np.int64), np.asarray(col_of, dtype=np.int64)
            weights_arr = np.asarray(weight_of, dtype=np.float64)
            counts = np.bincount(
                labels_arr * width + cols_arr, weights=weights_arr, minlength=len(self.labels) * width
            ).reshape(len(self.labels), width)
            smoothed = counts + self.alpha
            n_example_cells = sum(len(e.vec) for e in self._examples)
            self._model = _Model(
                columns,
                np.log(smoothed / smoothed.sum(axis=1, keepdims=True)),
                np.log((mass + 1.0) / (mass.sum() + len(self.labels))),
                np.repeat(np.arange(len(self._examples)), [len(e.vec) for e in self._examples]),
                cols_arr[:n_example_cells],
                weights_arr[:n_example_cells],
            )
        return self._model

    def probabilities(self, text: str | Vector) -> np.ndarray:
        """P(label | text) for every label, in the order of ``self.labels``."""
        model = self._fitted()
        vec = text if isinstance(text, dict) else vector(text)
        unseen = model.log_likelihood.shape[1] - 1
        cols = np.fromiter((model.columns.get(f, unseen) for f in vec), dtype=np.int64, count=len(vec))
        weights = np.fromiter(vec.values(), dtype=np.float64, count=len(vec))
        scores = model.log_prior + model.log_likelihood[:, cols] @ weights * _evidence_scale(len(vec))
        scores -= scores.max()
        p = np.exp(scores)
        return p / p.sum()

    def rank(self, text: str | Vector, top: int = 3) -> list[tuple[str, float]]:
        """The ``top`` labels with their probabilities, without reasons (fast)."""
        p = self.probabilities(text)
        return [(self.labels[i], round(float(p[i]), 4)) for i in np.argsort(-p, kind="stable")[:top].tolist()]

    def suggest(self, text: str, top: int = 3) -> list[Suggestion]:
        """The ``top`` labels for the text, best first, each with a score in [0, 1] and a reason."""
        if not self.labels:
            return []
        vec = vector(text)
        p = self.probabilities(vec)
        best = np.argsort(-p, kind="stable")[:top]
        counts = self._similar_history(vec)
        return [
            Suggestion(self.labels[i], round(float(p[i]), 4), self._reason(text, self.labels[i], counts))
            for i in best.tolist()
        ]

    # -- reasons

    def _similar_history(self, vec: Vector) -> Counter[str]:
        """Labels of the past examples most similar to the text (cosine of the unit vectors)."""
        model = self._fitted()
        if not self._examples:
            return Counter()
        query = np.zeros(model.log_likelihood.shape[1])
        for feature, w in vec.items():
            col = model.columns.get(feature)
            if col is not None:
                query[col] = w
        sims = np.bincount(
            model.example_rows,
            weights=model.example_vals * query[model.example_cols],
            minlength=len(self._examples),
        )
        close = np.flatnonzero(sims >= self.similar_enough)
        best = close[np.argsort(-sims[close], kind="stable")][: self.neighbours]
        return Counter(self._examples[i].label for i in best.tolist())

    def _reason(self, text: str, label: str, similar_counts: Counter[str]) -> str:
        n = similar_counts.get(label, 0)
        if n >= 2:
            return self.history_reason(n, label)
        shared = shared_terms(named_features(text), self._seed_terms.get(label, {}))
        if shared:
            return self.seed_reason(shared)
        return self.history_reason(n, label) if n else "依据不足，仅供参考"

    def history_reason(self, n: int, label: str) -> str:
        return f"过去 {n} 件同类提案归入{label}"

    def seed_reason(self, shared: list[str]) -> str:
        return "主题相关：" + "、".join(shared)


class UnitSuggester(Suggester):
    """Handling units: seeds are the units' duties (职能); history is past lead-unit assignments."""

    def history_reason(self, n: int, label: str) -> str:
        return f"过去 {n} 件同类提案由{label}主办"

    def seed_reason(self, shared: list[str]) -> str:
        return "职能相关：" + "、".join(shared)


@cache
def _seed_features(seed_text: str) -> tuple[dict[str, float], Vector]:
    """Named features and vector of a seed text (the same seeds serve every model of a committee)."""
    if not seed_text:
        return {}, {}
    named = named_features(seed_text)
    return named, hashed(named)


def _evidence_scale(n_features: int) -> float:
    """Damp the evidence of long texts so the posterior does not saturate at 0 or 1."""
    return 4.0 / math.sqrt(max(n_features, 1))


def shared_terms(a: dict[str, float], b: dict[str, float], limit: int = 3) -> list[str]:
    """Words and thesaurus concepts two texts share (their named features), strongest first."""
    common = [(a[n] * b[n], n[2:]) for n in a.keys() & b.keys() if n[0] in "wc"]
    return list(dict.fromkeys(term for _, term in sorted(common, reverse=True)))[:limit]


# ---- the demo committee's defaults (cold start) ----------------------------------------------------


@cache
def _themes_data() -> list[dict]:
    return json.loads((DATA_DIR / "themes.json").read_text(encoding="utf-8"))["themes"]


@cache
def _units_data() -> list[dict]:
    return json.loads((DATA_DIR / "units.json").read_text(encoding="utf-8"))["units"]


def theme_seed(theme: dict) -> str:
    return " ".join(theme.get(k, "") for k in ("name", "description", "keywords", "extra_keywords"))


def unit_seed(unit: dict) -> str:
    return " ".join(unit.get(k, "") for k in ("name", "full_name", "duties"))


def theme_aliases() -> dict[str, str]:
    """Other spellings of a theme (in labelled data) -> the demo committee's name."""
    return {alias: t["name"] for t in _themes_data() for alias in [t["name"], *t.get("aliases", [])]}


def theme_suggester(
    history: Iterable[tuple[str | Vector, str]] = (), themes: Iterable[dict] | None = None, **options: float
) -> Suggester:
    """A theme model: the themes (name, description, keywords; the demo's by default) and history."""
    model = Suggester(**options)
    for theme in themes if themes is not None else _themes_data():
        model.add_label(theme["name"], theme_seed(theme))
    return model.fit(history)


def unit_suggester(
    history: Iterable[tuple[str | Vector, str]] = (), units: Iterable[dict] | None = None, **options: float
) -> UnitSuggester:
    """A unit model: the units (name, duties; the demo's by default) and past lead assignments."""
    model = UnitSuggester(**options)
    for unit in units if units is not None else _units_data():
        model.add_label(unit["name"], unit_seed(unit))
    model.fit(history)
    return model


@cache
def _default_themes() -> Suggester:
    return theme_suggester()


@cache
def _default_units() -> UnitSuggester:
    return unit_suggester()


def suggest_themes(text: str, top: int = 3, model: Suggester | None = None) -> list[tuple[str, float]]:
    """The ``top`` themes for a text, best first, with scores in [0, 1] (the demo's themes by default)."""
    return [(s.label, s.score) for s in (model or _default_themes()).suggest(text, top)]


def suggest_units(text: str, top: int = 3, model: UnitSuggester | None = None) -> list[Suggestion]:
    """The ``top`` handling units for a text, best first: (unit, score, reason)."""
    return (model or _default_units()).suggest(text, top)
