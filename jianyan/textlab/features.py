"""Features shared by similar proposals and the theme and unit suggestions.

A text becomes a small sparse vector over three kinds of named features:

- ``w:`` content words (养老, 加装电梯),
- ``b:`` character bigrams inside runs of content words (catch words the dictionary splits),
- ``c:`` concepts of the thesaurus (data/thesaurus.txt): 红绿灯 and 信号灯 both give ``c:交通信号``,
  so titles that mean the same thing with different characters still meet.

Title features weigh ``TITLE_WEIGHT`` times body features. Names are hashed to 32-bit integers
(CRC-32, stable across processes and machines) so a vector is a ``dict[int, float]`` that fits
a database table (document, feature, weight). Vectors are L2-normalised term weights without IDF:
the index that holds them applies IDF from its own document frequencies at query time.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from functools import cache

from jianyan.textlab.segment import DATA_DIR, is_content_word, normalize, words

TITLE_WEIGHT = 2.0
WORD_WEIGHT = 1.0
BIGRAM_WEIGHT = 0.5
CONCEPT_WEIGHT = 1.0
BODY_CHARS = 4000  # longer bodies are cut: the opening states the issue

Vector = dict[int, float]


@cache
def thesaurus() -> dict[str, tuple[str, ...]]:
    """term -> the concepts it belongs to."""
    found: dict[str, list[str]] = {}
    for line in (DATA_DIR / "thesaurus.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        concept, _, terms = line.partition(":")
        for term in terms.split():
            found.setdefault(normalize(term), []).append(concept.strip())
    return {term: tuple(dict.fromkeys(concepts)) for term, concepts in found.items()}


@cache
def _longest_term() -> int:
    return max(len(t) for t in thesaurus())


@cache
def _prefixes() -> frozenset[str]:
    """Every proper prefix of a term: only a word in here can start a term of several words."""
    return frozenset(t[:i] for t in thesaurus() for i in range(1, len(t)))


_WORD_CACHE_SIZE = 200_000
_word_info: dict[str, tuple[bool, tuple[str, ...]]] = {}


def _info(word: str) -> tuple[bool, tuple[str, ...]]:
    """(may start a term of several words, concepts of the word itself or inside it); cached."""
    if len(_word_info) > _WORD_CACHE_SIZE:
        _word_info.clear()
    info = _word_info[word] = (word in _prefixes(), thesaurus().get(word) or _concepts_inside(word))
    return info


def concepts_of_words(ws: list[str], join: int = 3) -> list[str]:
    """Concepts in a sequence of words: up to ``join`` adjacent words joined (longest first), else
    the word itself, else the longest terms inside a long word (幼儿园 in 公办幼儿园)."""
    terms, cached = thesaurus(), _word_info.get
    found: list[str] = []
    k, n = 0, len(ws)
    while k < n:
        starts_term, own = cached(ws[k]) or _info(ws[k])
        step = 1
        if starts_term:
            for size in range(min(join, n - k), 1, -1):
                hit = terms.get("".join(ws[k : k + size]))
                if hit:
                    found.extend(hit)
                    step = size
                    break
        if step == 1 and own:
            found.extend(own)
        k += step
    return found


def _concepts_inside(word: str) -> tuple[str, ...]:
    if len(word) < 3:
        return ()
    terms, longest = thesaurus(), _longest_term()
    found: list[str] = []
    i = 0
    while i < len(word) - 1:
        for size in range(min(longest, len(word) - i), 1, -1):
            hit = terms.get(word[i : i + size])
            if hit:
                found.extend(hit)
                i += size
                break
        else:
            i += 1
    return tuple(found)


def concepts(text: str) -> list[str]:
    """Thesaurus concepts named in the text (红绿灯 -> 交通信号, 老年人 -> 养老)."""
    return concepts_of_words(words(text))


def runs_of_words(ws: list[str]) -> list[str]:
    """Stretches of consecutive content words (stop words break a run), joined."""
    runs: list[str] = []
    current: list[str] = []
    for w in ws:
        if is_content_word(w):
            current.append(w)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def char_bigrams(text: str) -> list[str]:
    """Character bigrams inside each run of content words."""
    return [run[i : i + 2] for run in runs_of_words(words(text)) for i in range(len(run) - 1)]


def field_features(text: str, *, bigrams: bool = True) -> Counter[str]:
    """Raw counts of the named features of one field (one segmentation pass)."""
    ws = words(text)
    counts: Counter[str] = Counter("w:" + w for w in ws if is_content_word(w))
    if bigrams:
        counts.update("b:" + run[i : i + 2] for run in runs_of_words(ws) for i in range(len(run) - 1))
    counts.update("c:" + c for c in concepts_of_words(ws))
    return counts


_KIND_WEIGHT = {"w": WORD_WEIGHT, "b": BIGRAM_WEIGHT, "c": CONCEPT_WEIGHT}


def named_features(title: str, body: str = "") -> dict[str, float]:
    """Weighted features by name, before hashing (for explanations and tests)."""
    weights: dict[str, float] = {}
    fields = ((title, TITLE_WEIGHT, True), (body[:BODY_CHARS], 1.0, False))
    for text, field_weight, bigrams in fields:
        if not text:
            continue
        for name, count in field_features(text, bigrams=bigrams).items():
            w = field_weight * _KIND_WEIGHT[name[0]] * (1.0 + math.log(count))
            weights[name] = weights.get(name, 0.0) + w
    return weights


_feature_ids: dict[str, int] = {}


def feature_id(name: str) -> int:
    """The stable 32-bit id of a feature name (CRC-32 of its UTF-8 bytes)."""
    key = _feature_ids.get(name)
    if key is None:
        if len(_feature_ids) > _WORD_CACHE_SIZE:
            _feature_ids.clear()
        key = _feature_ids[name] = zlib.crc32(name.encode("utf-8"))
    return key


def hashed(weights: dict[str, float]) -> Vector:
    """Hash feature names and scale the vector to unit length."""
    vec: Vector = {}
    ids = _feature_ids.get
    for name, w in weights.items():
        key = ids(name) or feature_id(name)
        vec[key] = vec.get(key, 0.0) + w
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {k: w / norm for k, w in vec.items()} if norm else {}


def vector(title: str, body: str = "") -> Vector:
    """The sparse unit vector of a proposal: {feature id: weight}."""
    return hashed(named_features(title, body))
