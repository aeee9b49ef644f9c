"""PostgreSQL: a `simple` tsvector over the pre-segmented text with a GIN index (title weighted A, body B).
pg_trgm adds substring matching for queries of three characters or more, but only in a database whose
LC_CTYPE classifies Chinese characters as letters (C.UTF-8, zh_CN...): under `C` pg_trgm ignores them,
so there the migration does not build its index and the tsvector alone answers.
No foreign key to disclosure_publication: Django's flush (TRUNCATE, in transactional tests) must be able to
empty that table; the workflow removes an entry whenever its publication stops being public.
The SQL is written out in full (no formatting); the queries are parameters."""

from django.db import connection

CREATE = [
    """CREATE TABLE disclosure_search (
        publication_id integer PRIMARY KEY,
        title_words text NOT NULL,
        body_words text NOT NULL,
        raw_text text NOT NULL,
        title_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', title_words)) STORED,
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', title_words), 'A') || setweight(to_tsvector('simple', body_words), 'B')
        ) STORED
    )""",
    "CREATE INDEX disclosure_search_document ON disclosure_search USING gin (document)",
    "CREATE INDEX disclosure_search_title ON disclosure_search USING gin (title_vector)",
]
TRGM_INDEX = "disclosure_search_raw_trgm"
TRGM_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX disclosure_search_raw_trgm ON disclosure_search USING gin (raw_text gin_trgm_ops)",
]
DROP = ["DROP TABLE IF EXISTS disclosure_search"]
TRGM_MIN_CHARS = 3

# Title matches first, then the others; newest first within each (the planner may walk the primary key
# backwards and stop at the LIMIT, which ranking every match with ts_rank would not allow).
TITLE_PAGE = """SELECT publication_id FROM disclosure_search WHERE title_vector @@ to_tsquery('simple', %s)
                ORDER BY publication_id DESC LIMIT %s OFFSET %s"""
REST_PAGE = """SELECT publication_id FROM disclosure_search, to_tsquery('simple', %s) AS q(query)
               WHERE document @@ q.query AND NOT title_vector @@ q.query
               ORDER BY publication_id DESC LIMIT %s OFFSET %s"""
# pg_trgm answers only when the segmented words find nothing (a 3+ character query the segmenter cut
# differently from the text): an OR of both in one query would make every search walk the raw text.
ANY = "SELECT 1 FROM disclosure_search WHERE document @@ to_tsquery('simple', %s) LIMIT 1"
TRGM_PAGE = """SELECT publication_id FROM disclosure_search WHERE raw_text LIKE %s
               ORDER BY publication_id DESC LIMIT %s OFFSET %s"""
COUNT_TRGM = "SELECT count(*) FROM (SELECT 1 FROM disclosure_search WHERE raw_text LIKE %s LIMIT %s) AS capped"
# Counts stop at a cap: every match is a heap visit (the GIN index needs a recheck), so an exact count of a
# common word would cost more than the page itself.
COUNT = """SELECT count(*) FROM (SELECT 1 FROM disclosure_search WHERE document @@ to_tsquery('simple', %s)
           LIMIT %s) AS capped"""
INSERT = "INSERT INTO disclosure_search (publication_id, title_words, body_words, raw_text) VALUES (%s, %s, %s, %s)"
UPSERT = INSERT + """ ON CONFLICT (publication_id) DO UPDATE SET title_words = EXCLUDED.title_words,
    body_words = EXCLUDED.body_words, raw_text = EXCLUDED.raw_text"""


def ctype_supports_trigrams(cursor) -> bool:
    cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
    return cursor.fetchone()[0] not in ("C", "POSIX")


_trigrams: dict[str, bool] = {}


def use_trigrams() -> bool:
    """Whether this database has the trigram index (the migration decided, once per database)."""
    key = connection.settings_dict["NAME"]
    if key not in _trigrams:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [TRGM_INDEX])
            _trigrams[key] = cursor.fetchone() is not None
    return _trigrams[key]


def tsquery(words: list[str]) -> str:
    return " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words)


def like_pattern(phrase: str) -> str | None:
    """The LIKE pattern of a 3+ character query where pg_trgm works, else None (tsvector only)."""
    if len(phrase) < TRGM_MIN_CHARS or not use_trigrams():
        return None
    return "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def upsert(publication_id: int, title: str, body: str, raw: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [publication_id, title, body, raw])


def insert_many(rows) -> None:
    """Rows of (id, title words, body words, raw text) into an index that does not hold them yet."""
    with connection.cursor() as cursor:
        cursor.executemany(INSERT, list(rows))


def delete(publication_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM disclosure_search WHERE publication_id = %s", [publication_id])


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM disclosure_search")


def trigram_fallback(cursor, query: str, phrase: str) -> str | None:
    """The LIKE pattern to use instead of the words, when the words find nothing and pg_trgm can help."""
    pattern = like_pattern(phrase)
    if pattern is None:
        return None
    cursor.execute(ANY, [query])
    return None if cursor.fetchone() else pattern


def search(words: list[str], phrase: str, limit: int, offset: int) -> list[int]:
    query = tsquery(words)
    with connection.cursor() as cursor:
        pattern = trigram_fallback(cursor, query, phrase)
        if pattern:
            cursor.execute(TRGM_PAGE, [pattern, limit, offset])
            return [row[0] for row in cursor.fetchall()]
        # The title matches up to the end of the page: if they fill it, the page is theirs; if not, their number
        # is known exactly, without a count over every title match.
        cursor.execute(TITLE_PAGE, [query, offset + limit, 0])
        titled = [row[0] for row in cursor.fetchall()]
        ids = titled[offset:]
        if len(ids) < limit:
            cursor.execute(REST_PAGE, [query, limit - len(ids), max(0, offset - len(titled))])
            ids += [row[0] for row in cursor.fetchall()]
        return ids


def count(words: list[str], phrase: str, cap: int) -> int:
    query = tsquery(words)
    with connection.cursor() as cursor:
        pattern = trigram_fallback(cursor, query, phrase)
        if pattern:
            cursor.execute(COUNT_TRGM, [pattern, cap])
        else:
            cursor.execute(COUNT, [query, cap])
        return cursor.fetchone()[0]
