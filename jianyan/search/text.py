"""How published text becomes search words, shared by every backend: jianyan.textlab.segment's words,
plus the two-character pieces of every longer word, so that 电梯 finds 加装电梯 and 养老 finds 养老服务.
The query is segmented the same way; every query word must be found."""

from jianyan.textlab.segment import normalize, words

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 8


def index_words(text: str) -> str:
    out: list[str] = []
    for word in words(text):
        out.append(word)
        if len(word) > 2 and not word.isascii():
            out.extend(word[i:i + 2] for i in range(len(word) - 1))
    return " ".join(out)


def clean_query(query: str) -> str:
    """At most MAX_QUERY_CHARS characters, control characters (NUL...) turned into spaces."""
    return "".join(c if c.isprintable() else " " for c in (query or "")[:MAX_QUERY_CHARS])


def query_words(query: str) -> list[str]:
    """The distinct words of a query, in order; empty when it has nothing searchable."""
    seen: list[str] = []
    for word in words(clean_query(query)):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]


def query_phrase(query: str) -> str:
    """The query as one normalised string without spaces, for substring matching (pg_trgm)."""
    return "".join(normalize(clean_query(query)).split())


def plain_text(text: str) -> str:
    """A whole text normalised and without spaces, as query_phrase makes a query (pg_trgm matches one in the other)."""
    return "".join(normalize(text).split())
