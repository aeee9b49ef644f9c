"""One search interface over the published proposals, whatever the database: FTS5 on SQLite, a tsvector
(plus pg_trgm where it works) on PostgreSQL. Only publications are indexed, and only their redacted text;
the disclosure workflow keeps the index in step (index on approval or change, remove on withdrawal)."""

from django.db import connection

from jianyan.search import postgres, sqlite
from jianyan.search.text import index_words, plain_text, query_phrase, query_words

BACKENDS = {"sqlite": sqlite, "postgresql": postgres}
MAX_RESULTS = 1000
MAX_OFFSET = 10_000  # deeper pages of a search are empty: nobody reads them, and each costs more


def backend():
    try:
        return BACKENDS[connection.vendor]
    except KeyError:
        raise RuntimeError(f"全文检索不支持此数据库：{connection.vendor}") from None


def index_row(publication) -> tuple[int, str, str, str]:
    """What the index keeps of a publication: its id, the words of its title, of its body and reply, and its
    whole text without spaces (for substring matching)."""
    raw = f"{publication.title}\n{publication.body}\n{publication.reply}"
    return (publication.pk, index_words(publication.title), index_words(f"{publication.body}\n{publication.reply}"),
            plain_text(raw))


def index_publication(publication) -> None:
    """Put a publication's public (redacted) text into the index, replacing what was there."""
    backend().upsert(*index_row(publication))


def remove_publication(publication_id: int) -> None:
    backend().delete(publication_id)


def search_ids(query: str, *, limit: int = 20, offset: int = 0) -> list[int]:
    """Publication ids matching every word of the query, title matches first, best first."""
    words = query_words(query)
    if not words or offset > MAX_OFFSET:
        return []
    return backend().search(words, query_phrase(query), max(0, min(limit, MAX_RESULTS)), max(0, offset))


def count(query: str, *, cap: int = MAX_RESULTS) -> int:
    """How many publications match, counted up to `cap` (pages show "1000 件以上" beyond it)."""
    words = query_words(query)
    return backend().count(words, query_phrase(query), cap) if words else 0


def rebuild(publications) -> int:
    """Index these publications from scratch (the command line and the demo use it)."""
    backend().clear()
    rows = [index_row(p) for p in publications]
    backend().insert_many(rows)
    return len(rows)
