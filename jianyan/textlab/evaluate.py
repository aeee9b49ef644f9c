"""Evaluation of the text assistance on labelled titles (the JSON Lines format of shared/data).

Every record is predicted by models that did not see it: ``folds="loo"`` trains on all other
records (leave-one-out), ``folds="topic"`` on the records of other topics only (the held-out set
is made of unseen topics, so this is the honest estimate), an integer k on k-1 of k folds.
Themes start from the committee's theme descriptions and units from their duties (cold start),
then learn from the training records.

Metrics (`evaluate`):
- similar: for each title with a same-topic (same-issue) mate elsewhere in the file, the share
  of its mates among the 10 best others (recall@10, averaged over titles), the reciprocal rank
  of the first mate (MRR) and precision@1/@5; next to two baselines computed in the same run:
  Decidim's trigram similarity (pg_trgm style, threshold 0.25, top 10) and character-bigram Jaccard.
- theme: top-1 / top-3 accuracy against the ``theme`` label (all and high-confidence labels),
  next to the majority baseline (the most frequent themes of the training records).
- unit: top-1 / top-3 hit rate of the lead unit, for records whose ``unit_type`` maps to one of
  the committee's units (data/unit_types.json), next to the majority baseline.

`predictions` yields one line per record in the contract's format.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jianyan.textlab.classify import Suggester, theme_aliases, theme_suggester, unit_suggester
from jianyan.textlab.features import Vector, vector
from jianyan.textlab.segment import DATA_DIR, normalize
from jianyan.textlab.similar import SimilarityIndex

TOP = 10


def load_records(path: str | Path) -> list[dict]:
    """The records of a JSON Lines file (blank lines skipped)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@cache
def unit_type_names() -> dict[str, str | None]:
    """unit_type of the labelled data -> the demo committee's unit name (None: no fitting unit)."""
    return json.loads((DATA_DIR / "unit_types.json").read_text(encoding="utf-8"))["unit_types"]


def unit_of(record: dict) -> str | None:
    return unit_type_names().get(record.get("unit_type") or "")


def theme_of(record: dict) -> str | None:
    theme = record.get("theme")
    return theme_aliases().get(theme, theme) if theme else None


# ---- one pass over the file ---------------------------------------------------------------------


@dataclass
class Prediction:
    index: int
    similar: list[int]  # indexes of other records, best first
    themes: list[str]
    units: list[str]


def _folds(records: list[dict], folds: str | int) -> list[list[int]]:
    """Groups of record indexes held out together."""
    if folds == "loo":
        return [[i] for i in range(len(records))]
    if folds == "topic":
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            groups.setdefault(r.get("topic_id") or f"#{i}", []).append(i)
        return list(groups.values())
    if isinstance(folds, int) and folds >= 2:
        return [list(range(k, len(records), folds)) for k in range(folds)]
    raise ValueError(f"folds must be 'loo', 'topic' or an integer >= 2, not {folds!r}")


Labeller = Callable[[dict], str | None]
ModelFactory = Callable[[list[tuple[Vector, str]]], Suggester]


def run(
    records: list[dict],
    *,
    folds: str | int = "loo",
    theme_model: ModelFactory = theme_suggester,
    unit_model: ModelFactory = unit_suggester,
    theme_label: Labeller = theme_of,
    unit_label: Labeller = unit_of,
) -> Iterator[Prediction]:
    """Predict every record with models trained on the records outside its fold.

    ``theme_model`` / ``unit_model`` build a model from training pairs (a committee's own model adds
    its seeds and history); ``theme_label`` / ``unit_label`` give a record's label as that model
    names it (the demo committee's names by default)."""
    vectors = [vector(r["title"]) for r in records]
    index = SimilarityIndex()
    for i, r in enumerate(records):
        index.add(i, r["title"])
    for held_out in _folds(records, folds):
        outside = set(held_out)
        train = [i for i in range(len(records)) if i not in outside]
        themes = theme_model([(vectors[i], t) for i in train if (t := theme_label(records[i]))])
        units = unit_model([(vectors[i], u) for i in train if (u := unit_label(records[i]))])
        for i in held_out:
            similar = [m.id for m in index.query(records[i]["title"], top=TOP, exclude={i}, min_score=0.0)]
            yield Prediction(
                i,
                similar,
                [label for label, _ in themes.rank(vectors[i], 3)],
                [label for label, _ in units.rank(vectors[i], 3)],
            )


def predictions(records: list[dict], *, folds: str | int = "loo", **models) -> Iterator[dict]:
    """One dict per record, in file order: title, up to 10 similar other titles (best first),
    the top 3 themes and the top 3 units as the demo committee names them (or as the models
    passed on to `run` name them)."""
    return prediction_dicts(records, run(records, folds=folds, **models))


def prediction_dicts(records: list[dict], preds: Iterable[Prediction]) -> Iterator[dict]:
    """The predictions of `run` as the contract's lines, in file order."""
    for p in sorted(preds, key=lambda p: p.index):
        yield {
            "title": records[p.index]["title"],
            "similar": [records[j]["title"] for j in p.similar],
            "themes": p.themes,
            "units": p.units,
        }


# ---- metrics ---------------------------------------------------------------------------------------


def ranking_metrics(rankings: dict[int, list[int]], mates: dict[int, set[int]]) -> dict[str, float | int]:
    """recall@10, MRR and precision@1/@5 over the queries that have mates."""
    queries = [i for i in rankings if mates.get(i)]
    if not queries:
        return {"queries": 0, "recall@10": 0.0, "mrr": 0.0, "precision@1": 0.0, "precision@5": 0.0}
    recall = mrr = p1 = p5 = 0.0
    for i in queries:
        ranked, good = rankings[i][:TOP], mates[i]
        recall += len(good & set(ranked)) / len(good)
        first = next((k for k, j in enumerate(ranked) if j in good), None)
        mrr += 0.0 if first is None else 1.0 / (first + 1)
        p1 += float(bool(ranked) and ranked[0] in good)
        p5 += len(good & set(ranked[:5])) / 5
    n = len(queries)
    return {
        "queries": n,
        "recall@10": _r(recall / n),
        "mrr": _r(mrr / n),
        "precision@1": _r(p1 / n),
        "precision@5": _r(p5 / n),
    }


def mates_by(records: list[dict], key: str) -> dict[int, set[int]]:
    groups: dict[str, set[int]] = {}
    for i, r in enumerate(records):
        if r.get(key):
            groups.setdefault(r[key], set()).add(i)
    return {i: groups[r[key]] - {i} for i, r in enumerate(records) if r.get(key)}


def pg_trgm(text: str) -> set[str]:
    """Trigrams as PostgreSQL's pg_trgm takes them: per word, padded with two spaces before and one after."""
    found: set[str] = set()
    for word in re.findall(r"[\w]+", normalize(text)):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def char_bigrams(text: str) -> set[str]:
    chars = re.sub(r"\s+", "", normalize(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def baseline_rankings(
    records: list[dict], grams: Callable[[str], set[str]], threshold: float = 0.0
) -> dict[int, list[int]]:
    """Brute-force Jaccard rankings over the file (the baselines): the best 10 at or above the threshold."""
    sets = [grams(r["title"]) for r in records]
    rankings = {}
    for i, a in enumerate(sets):
        scored = [(jaccard(a, b), j) for j, b in enumerate(sets) if j != i]
        scored = [(s, j) for s, j in scored if s >= threshold and s > 0]
        rankings[i] = [j for _, j in sorted(scored, key=lambda x: (-x[0], x[1]))[:TOP]]
    return rankings


def label_metrics(predicted: dict[int, list[str]], truth: dict[int, str]) -> dict[str, float | int]:
    n = len(truth)
    if not n:
        return {"n": 0, "top1": 0.0, "top3": 0.0}
    top1 = sum(1 for i, t in truth.items() if predicted[i][:1] == [t])
    top3 = sum(1 for i, t in truth.items() if t in predicted[i][:3])
    return {"n": n, "top1": _r(top1 / n), "top3": _r(top3 / n)}


def majority_predictions(
    records: list[dict], truth: dict[int, str], folds: str | int
) -> dict[int, list[str]]:
    """The baseline: the three most frequent labels among the training records of each fold."""
    predicted: dict[int, list[str]] = {}
    for held_out in _folds(records, folds):
        outside = set(held_out)
        counts = Counter(t for i, t in truth.items() if i not in outside)
        ranked = [label for label, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:3]]
        predicted.update({i: ranked for i in held_out})
    return predicted


def evaluate(records: list[dict], *, folds: str | int = "loo", **models) -> dict:
    """All metrics of the module docstring, as a dict of plain numbers (``models``: see `run`)."""
    labels = {k: models[k] for k in ("theme_label", "unit_label") if k in models}
    return metrics_of(records, run(records, folds=folds, **models), folds=folds, **labels)


def metrics_of(
    records: list[dict],
    predicted: Iterable[Prediction],
    *,
    folds: str | int = "loo",
    theme_label: Labeller = theme_of,
    unit_label: Labeller = unit_of,
) -> dict:
    """The metrics of `evaluate` from predictions already made by `run` (with the same labels)."""
    preds = {p.index: p for p in predicted}
    themes = {i: t for i, r in enumerate(records) if (t := theme_label(r))}
    high = {i: t for i, t in themes.items() if records[i].get("theme_confidence") == "high"}
    units = {i: u for i, r in enumerate(records) if (u := unit_label(r))}
    ours = {i: p.similar for i, p in preds.items()}
    trigram = baseline_rankings(records, pg_trgm, threshold=0.25)
    bigram = baseline_rankings(records, char_bigrams)
    theme_majority = majority_predictions(records, themes, folds)
    unit_majority = majority_predictions(records, units, folds)
    topic, issue = mates_by(records, "topic_id"), mates_by(records, "issue_id")
    return {
        "records": len(records),
        "folds": folds,
        "similar": {
            "same_topic": ranking_metrics(ours, topic),
            "same_issue": ranking_metrics(ours, issue),
            "baseline_trigram_0.25": {
                "same_topic": ranking_metrics(trigram, topic),
                "same_issue": ranking_metrics(trigram, issue),
            },
            "baseline_bigram_jaccard": {
                "same_topic": ranking_metrics(bigram, topic),
                "same_issue": ranking_metrics(bigram, issue),
            },
        },
        "theme": {
            **label_metrics({i: p.themes for i, p in preds.items()}, themes),
            "high_confidence": label_metrics({i: preds[i].themes for i in high}, high),
            "baseline_majority": label_metrics(theme_majority, themes),
        },
        "unit": {
            **label_metrics({i: p.units for i, p in preds.items()}, units),
            "baseline_majority": label_metrics(unit_majority, units),
        },
    }


def format_report(metrics: dict) -> str:
    """The metrics as a small table for the terminal."""
    s, t, u = metrics["similar"], metrics["theme"], metrics["unit"]
    rows = [
        f"记录 records: {metrics['records']}   folds: {metrics['folds']}",
        "",
        f"{'similar (recall@10 / MRR / P@1)':<34}{'same topic':>24}{'same issue':>24}",
    ]
    for name, block in (
        ("textlab", s),
        ("baseline trigram ≥0.25 (Decidim)", s["baseline_trigram_0.25"]),
        ("baseline char-bigram Jaccard", s["baseline_bigram_jaccard"]),
    ):
        cells = [
            f"{b['recall@10']:.3f} / {b['mrr']:.3f} / {b['precision@1']:.3f}"
            for b in (block["same_topic"], block["same_issue"])
        ]
        rows.append(f"{name:<34}{cells[0]:>24}{cells[1]:>24}")
    rows.append(f"{'  (queries)':<34}{s['same_topic']['queries']:>24}{s['same_issue']['queries']:>24}")
    rows += [
        "",
        f"{'labels (top-1 / top-3)':<34}{'textlab':>16}{'majority':>16}{'n':>8}",
        f"{'theme':<34}{_pair(t):>16}{_pair(t['baseline_majority']):>16}{t['n']:>8}",
        f"{'theme, high-confidence labels':<34}{_pair(t['high_confidence']):>16}{'':>16}{t['high_confidence']['n']:>8}",
        f"{'unit (lead unit)':<34}{_pair(u):>16}{_pair(u['baseline_majority']):>16}{u['n']:>8}",
    ]
    return "\n".join(rows)


def _pair(m: dict) -> str:
    return f"{m['top1']:.3f} / {m['top3']:.3f}"


def _r(x: float) -> float:
    return round(x, 4)


def prediction_lines(records: list[dict], *, folds: str | int = "loo") -> Iterator[str]:
    """The prediction lines as JSON strings (for ``--predictions OUT.jsonl``)."""
    for line in predictions(records, folds=folds):
        yield json.dumps(line, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    """``python -m jianyan.textlab.evaluate FILE.jsonl [--folds loo|topic|K] [--predictions OUT] [--json]``"""
    import argparse

    parser = argparse.ArgumentParser(description="Evaluate the text assistance on labelled titles.")
    parser.add_argument("file")
    parser.add_argument("--folds", default="loo", help="loo (default), topic, or a number of folds")
    parser.add_argument("--predictions", metavar="OUT.jsonl")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)
    folds: str | int = int(args.folds) if args.folds.isdigit() else args.folds
    records = load_records(args.file)
    preds = list(run(records, folds=folds))
    metrics = metrics_of(records, preds, folds=folds)
    print(json.dumps(metrics, ensure_ascii=False, indent=2) if args.json else format_report(metrics))
    if args.predictions:
        with open(args.predictions, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in prediction_dicts(records, preds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
