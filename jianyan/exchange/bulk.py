"""Fast inserts for the import: plain tuples, bypassing model instances, by `executemany` on SQLite and
`COPY ... FROM STDIN` on PostgreSQL.

The ORM's bulk_create spends ~90 % of an import's time building model instances and compiling the
INSERT (measured: 32 s for 5,000 rows on the shared test machine). Here each table's row is a tuple of the
values the import knows, completed with the fields' Python defaults (computed once), converted for the
database with the backend's own adapters. Every concrete field of the model is written, so a field
another app adds later gets its default as the ORM would give it.

Primary keys that later rows refer to are reserved up front: the next values of the table's sequence on
PostgreSQL; on SQLite the ids after the current maximum, safe because the import's transaction holds
SQLite's write lock from its start (transaction_mode IMMEDIATE)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import connection, models
from django.utils import timezone


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once (OFFSET 0 keeps the planner from inlining the lookup into every
            # row): calling pg_get_serial_sequence per id made this 6× slower, 3.5 s of a 100,000-row import.
            cursor.execute("SELECT nextval(seq) FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq "
                           "OFFSET 0) AS s, generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a table name)
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + n))


def memoised(convert: Callable) -> Callable:
    """Dates and times repeat across an import's rows (sessions, days): convert each distinct value once."""
    cache: dict = {}

    def converted(value):
        if value is None:
            return None
        try:
            return cache[value]
        except KeyError:
            out = cache[value] = convert(value)
            return out

    return converted


def adapter(field: models.Field) -> Callable | None:
    """How a Python value of the field goes to the database (None stays None), or None when it goes as it is."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return memoised(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return memoised(ops.adapt_datefield_value)
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else ops.adapt_json_value(value, field.encoder)
    if isinstance(field, (models.DecimalField, models.UUIDField, models.BinaryField)):
        return lambda value: None if value is None else field.get_db_prep_save(value, connection)
    return None


class Inserter:
    """INSERT INTO model's table for rows given as tuples of the named attributes (e.g. "proposal_id")."""

    def __init__(self, model: type[models.Model], given: Sequence[str]):
        now = timezone.now()
        self.given = list(given)
        position = {name: i for i, name in enumerate(self.given)}
        self.plan: list[tuple[int, Callable | None] | tuple[None, object]] = []
        columns = []
        for field in model._meta.concrete_fields:
            if field.attname not in position:
                if field.primary_key:
                    continue  # the database numbers it
                default = now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) \
                    else field.get_default()
                convert = adapter(field)
                self.plan.append((None, convert(default) if convert else default))
            else:
                self.plan.append((position[field.attname], adapter(field)))
            columns.append(connection.ops.quote_name(field.column))
        missing = set(self.given) - {f.attname for f in model._meta.concrete_fields}
        if missing:
            raise ValueError(f"{model.__name__} has no field {sorted(missing)}")
        table = connection.ops.quote_name(model._meta.db_table)
        marks = ", ".join(["%s"] * len(columns))
        self.row = self.compile_row()
        self.sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (names from the model)
        self.copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"

    def compile_row(self) -> Callable[[Sequence], tuple]:
        """One generated function per table: `lambda v: (const[0], convert[1](v[3]), v[0], ...)`, several times
        faster than a loop over the plan for every row."""
        parts, constants, converters = [], {}, {}
        for n, (index, how) in enumerate(self.plan):
            if index is None:
                constants[n] = how
                parts.append(f"k[{n}]")
            elif how is None:
                parts.append(f"v[{index}]")
            else:
                converters[n] = how
                parts.append(f"c[{n}](v[{index}])")
        source = f"lambda v: ({', '.join(parts)},)"
        return eval(source, {"k": constants, "c": converters})  # noqa: S307 (source built above from indexes only)

    def insert(self, rows: Iterable[Sequence]) -> int:
        row = self.row
        prepared = [row(r) for r in rows]
        if not prepared:
            return 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: one stream instead of a statement per row (executemany was 3× slower than SQLite here);
                # on psycopg's own cursor, so its errors are turned into Django's (IntegrityError) here
                with connection.wrap_database_errors, cursor.cursor.copy(self.copy_sql) as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                cursor.executemany(self.sql, prepared)
        return len(prepared)
