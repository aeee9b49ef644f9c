"""SQLite: an FTS5 table (unicode61) over the pre-segmented text; rowid is the publication's id.
The SQL is written out in full (no formatting): only the MATCH expressions vary, and they are parameters."""

from django.db import connection

CREATE = [
    "CREATE VIRTUAL TABLE disclosure_search USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0')",
]
DROP = ["DROP TABLE IF EXISTS disclosure_search"]

# Title matches first, then the others; newest first within each. Both walk FTS5's doclists in rowid order
# and stop at the LIMIT, so a common word costs no more than a rare one (bm25 over every match would).
PAGE = "SELECT rowid FROM disclosure_search WHERE disclosure_search MATCH %s ORDER BY rowid DESC LIMIT %s OFFSET %s"
COUNT = "SELECT count(*) FROM (SELECT 1 FROM disclosure_search WHERE disclosure_search MATCH %s LIMIT %s)"
INSERT = "INSERT INTO disclosure_search (rowid, title, body) VALUES (%s, %s, %s)"
DELETE = "DELETE FROM disclosure_search WHERE rowid = %s"


def quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(words: list[str], column: str | None = None) -> str:
    expr = " AND ".join(quoted(w) for w in words)
    return f"{column} : ({expr})" if column else expr


def upsert(publication_id: int, title: str, body: str, raw: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(DELETE, [publication_id])
        cursor.execute(INSERT, [publication_id, title, body])


def insert_many(rows) -> None:
    """Rows of (id, title words, body words, raw text) into an index that does not hold them yet."""
    with connection.cursor() as cursor:
        cursor.executemany(INSERT, [(pk, title, body) for pk, title, body, _raw in rows])


def delete(publication_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(DELETE, [publication_id])


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM disclosure_search")


def search(words: list[str], phrase: str, limit: int, offset: int) -> list[int]:
    everywhere = match_expression(words)
    in_title = match_expression(words, "title")
    elsewhere = f"({everywhere}) NOT ({in_title})"
    with connection.cursor() as cursor:
        # The title matches up to the end of the page: if they fill it, the page is theirs; if not, their number
        # is known exactly, without a count over every title match.
        cursor.execute(PAGE, [in_title, offset + limit, 0])
        titled = [row[0] for row in cursor.fetchall()]
        ids = titled[offset:]
        if len(ids) < limit:
            cursor.execute(PAGE, [elsewhere, limit - len(ids), max(0, offset - len(titled))])
            ids += [row[0] for row in cursor.fetchall()]
        return ids


def count(words: list[str], phrase: str, cap: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(COUNT, [match_expression(words), cap])
        return cursor.fetchone()[0]
